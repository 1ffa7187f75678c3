import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { DIMENSION_KEYS, POSTMORTEM_FIELDS, POSTMORTEM_TITLES, dimension } from '../schemas/index.ts';
import type { Scorecard } from './scorecard.ts';

/**
 * Charts are vega-lite specs, compiled to vega and rendered to SVG headlessly (no canvas needed). Widths
 * are set for the report's card (about 1,100 px); the page scales each SVG to its card's width.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif';
const config = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e8e8ee', domainColor: '#888' },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'top', labelLimit: 320 },
  title: { fontSize: 14, anchor: 'start', fontWeight: 600 },
} as const;

const SYSTEMS = ['failscope', 'FAIL', 'majority baseline'];
const SYSTEM_COLORS = ['#3b6fd8', '#e0813a', '#9aa0a6'];

const round = (v: number | null | undefined) => (v === null || v === undefined ? null : Number(v.toFixed(4)));

/** Per-dimension grouped bars of one taxonomy metric: ours, FAIL's and the baseline's. */
export function dimensionBars(s: Scorecard, metric: 'exact' | 'jaccard', title: string): TopLevelSpec {
  const values = DIMENSION_KEYS.flatMap((d) => {
    const x = s.taxonomy.dimensions[d];
    if (!x.pipeline.n) return [];
    return [
      { dimension: dimension(d).title.replace(/ \(.*\)$/, ''), system: 'failscope', value: round(x.pipeline[metric]) },
      ...(x.fail ? [{ dimension: dimension(d).title.replace(/ \(.*\)$/, ''), system: 'FAIL', value: round(x.fail[metric]) }] : []),
      { dimension: dimension(d).title.replace(/ \(.*\)$/, ''), system: 'majority baseline', value: round(x.baseline[metric]) },
    ];
  });
  const present = SYSTEMS.filter((sys) => values.some((v) => v.system === sys));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    title,
    width: 900,
    height: { step: 7 },
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      y: { field: 'dimension', type: 'nominal', sort: null, title: null, axis: { labelLimit: 220, labelFontSize: 12 } },
      yOffset: { field: 'system', sort: present },
      x: {
        field: 'value',
        type: 'quantitative',
        scale: { domain: [0, 1] },
        title: metric === 'exact' ? 'exact-set match' : 'Jaccard',
        axis: { orient: 'top' },
      },
      color: {
        field: 'system',
        sort: present,
        scale: { domain: present, range: present.map((p) => SYSTEM_COLORS[SYSTEMS.indexOf(p)]) },
        title: null,
      },
      tooltip: [{ field: 'dimension' }, { field: 'system' }, { field: 'value', format: '.3f' }],
    },
  } as TopLevelSpec;
}

/** Screening confusion matrices, one panel per label and system, counts written in the cells. */
export function screeningConfusion(s: Scorecard): TopLevelSpec {
  const values: { panel: string; gold: string; predicted: string; count: number }[] = [];
  const panels: string[] = [];
  for (const label of ['isFailure', 'analyzable'] as const) {
    const systems = [
      ['failscope', s.screening[label].pipeline],
      ['FAIL', s.screening[label].fail],
    ] as const;
    for (const [name, c] of systems) {
      if (!c || c.n === 0) continue;
      const panel = `${label} · ${name}`;
      panels.push(panel);
      values.push(
        { panel, gold: 'yes', predicted: 'yes', count: c.tp },
        { panel, gold: 'no', predicted: 'yes', count: c.fp },
        { panel, gold: 'yes', predicted: 'no', count: c.fn },
        { panel, gold: 'no', predicted: 'no', count: c.tn },
      );
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    title: 'Screening confusion matrices',
    data: { values },
    facet: {
      field: 'panel',
      type: 'nominal',
      title: null,
      sort: panels,
      header: { labelFontSize: 12, labelFontWeight: 600, labelPadding: 8 },
    },
    columns: 4,
    spec: {
      width: 200,
      height: 140,
      transform: [{ joinaggregate: [{ op: 'max', field: 'count', as: 'peak' }], groupby: ['panel'] }],
      encoding: {
        x: { field: 'predicted', type: 'nominal', sort: ['yes', 'no'], title: 'predicted', axis: { labelAngle: 0 } },
        y: { field: 'gold', type: 'nominal', sort: ['yes', 'no'], title: 'gold' },
      },
      layer: [
        { mark: 'rect', encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' }, legend: null } } },
        {
          mark: { type: 'text', fontSize: 16, fontWeight: 600 },
          encoding: {
            text: { field: 'count' },
            color: { condition: { test: 'datum.count > 0.6 * datum.peak', value: '#fff' }, value: '#1d2330' },
          },
        },
      ],
    },
    resolve: { scale: { color: 'independent' } },
  } as unknown as TopLevelSpec;
}

/**
 * Per-option error rates, ours: of the incidents whose gold has the option, the share we missed
 * (FN / (TP + FN)); of those we gave it, the share that were wrong (FP / (TP + FP)). Raw counts would be
 * dominated by true negatives (most options are absent from most incidents), so they are not shown.
 */
export function optionErrors(s: Scorecard): TopLevelSpec {
  const values = DIMENSION_KEYS.flatMap((d) => {
    const x = s.taxonomy.dimensions[d];
    if (!x.pipeline.n) return [];
    return Object.entries(x.pipeline.options)
      .filter(([, o]) => o.tp + o.fp + o.fn > 0)
      .flatMap(([k, o]) => [
        {
          option: `${d} · ${k}`,
          cell: 'missed (FN ÷ gold has it)',
          rate: o.tp + o.fn ? round(o.fn / (o.tp + o.fn)) : null,
          text: `${o.fn}/${o.tp + o.fn}`,
        },
        {
          option: `${d} · ${k}`,
          cell: 'wrong (FP ÷ we gave it)',
          rate: o.tp + o.fp ? round(o.fp / (o.tp + o.fp)) : null,
          text: `${o.fp}/${o.tp + o.fp}`,
        },
      ]);
  }).map((v) => ({ ...v, label: v.rate === null ? '—' : `${v.rate.toFixed(2)} (${v.text})` }));
  const rows = new Set(values.map((v) => v.option)).size;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    title: 'Per-option error rates (failscope)',
    data: { values },
    width: 760,
    height: Math.max(120, rows * 18),
    encoding: {
      y: { field: 'option', type: 'nominal', sort: null, title: null, axis: { labelLimit: 400 } },
      x: { field: 'cell', type: 'nominal', sort: null, title: null, axis: { orient: 'top', labelAngle: 0, labelLimit: 400 } },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'rate',
            type: 'quantitative',
            scale: { scheme: 'reds', domain: [0, 1] },
            title: 'error rate',
            legend: { orient: 'right' },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: { text: { field: 'label' }, color: { condition: { test: 'datum.rate > 0.6', value: '#fff' }, value: '#1d2330' } },
      },
    ],
  } as unknown as TopLevelSpec;
}

/** Reliability diagram: accuracy per confidence bin against the diagonal of perfect calibration. */
export function reliability(s: Scorecard): TopLevelSpec {
  const bins = s.calibration.taxonomy.bins
    .filter((b) => b.n > 0)
    .map((b) => ({
      mid: (b.lo + b.hi) / 2,
      lo: b.lo,
      hi: b.hi,
      accuracy: round(b.accuracy),
      confidence: round(b.meanConfidence),
      n: b.n,
    }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    title: `Reliability: taxonomy labels (ECE ${s.calibration.taxonomy.ece?.toFixed(3) ?? '—'})`,
    width: 1000,
    height: 340,
    layer: [
      {
        data: {
          values: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: { domain: [0, 1] }, title: 'confidence' },
          y: { field: 'y', type: 'quantitative', scale: { domain: [0, 1] }, title: 'accuracy (exact set)' },
        },
      },
      {
        data: { values: bins },
        mark: { type: 'rect', color: '#3b6fd8', opacity: 0.7, stroke: '#fff', strokeWidth: 1 },
        encoding: {
          x: { field: 'lo', type: 'quantitative' },
          x2: { field: 'hi' },
          y: { field: 'accuracy', type: 'quantitative' },
          y2: { datum: 0 },
          tooltip: [{ field: 'n' }, { field: 'accuracy' }, { field: 'confidence' }],
        },
      },
      {
        data: { values: bins },
        mark: { type: 'point', filled: true, color: '#e0813a' },
        encoding: {
          x: { field: 'confidence', type: 'quantitative' },
          y: { field: 'accuracy', type: 'quantitative' },
          size: { field: 'n', type: 'quantitative', title: 'answers' },
        },
      },
    ],
  } as unknown as TopLevelSpec;
}

/** Fact recall and precision per postmortem field, ours beside FAIL's. */
export function postmortemBars(s: Scorecard): TopLevelSpec {
  const values = POSTMORTEM_FIELDS.flatMap((f) => {
    const x = s.postmortem.fields[f];
    const title = POSTMORTEM_TITLES[f];
    return [
      { field: title, system: 'failscope', measure: 'recall', value: round(x.pipeline.recall) },
      { field: title, system: 'failscope', measure: 'precision', value: round(x.pipeline.precision) },
      ...(x.fail
        ? [
            { field: title, system: 'FAIL', measure: 'recall', value: round(x.fail.recall) },
            { field: title, system: 'FAIL', measure: 'precision', value: round(x.fail.precision) },
          ]
        : []),
    ];
  }).filter((v) => v.value !== null);
  const present = SYSTEMS.filter((sys) => values.some((v) => v.system === sys));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    title: 'Postmortem facts: recall and precision per field',
    data: { values },
    facet: {
      row: {
        field: 'measure',
        type: 'nominal',
        sort: ['recall', 'precision'],
        title: null,
        header: { labelFontSize: 12, labelFontWeight: 600 },
      },
    },
    spec: {
      width: 1000,
      height: 150,
      mark: { type: 'bar', cornerRadiusEnd: 2 },
      encoding: {
        x: { field: 'field', type: 'nominal', sort: null, title: null, axis: { labelAngle: -30, labelLimit: 200 } },
        xOffset: { field: 'system', sort: present },
        y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, title: null },
        color: {
          field: 'system',
          sort: present,
          scale: { domain: present, range: present.map((p) => SYSTEM_COLORS[SYSTEMS.indexOf(p)]) },
          title: null,
        },
      },
    },
  } as unknown as TopLevelSpec;
}

/** Homogeneity, completeness and V-measure: stage alone, end to end, the singleton baseline and FAIL's published figures. */
export function groupingBars(s: Scorecard): TopLevelSpec {
  const rows: [string, { homogeneity: number; completeness: number; vMeasure: number }][] = [
    ['failscope · stage alone', s.grouping.stage.pipeline],
    ['failscope · end to end', s.grouping.endToEnd.pipeline],
    ['every article alone · stage', s.grouping.stage.baseline],
  ];
  if (s.grouping.published) rows.push(['FAIL · published', s.grouping.published]);
  const values = rows.flatMap(([system, v]) =>
    (['homogeneity', 'completeness', 'vMeasure'] as const).map((m) => ({
      system,
      measure: m === 'vMeasure' ? 'V-measure' : m,
      value: round(v[m]),
    })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    title: 'Grouping',
    width: 1000,
    height: 200,
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      x: { field: 'measure', type: 'nominal', sort: ['homogeneity', 'completeness', 'V-measure'], title: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'system', sort: rows.map((r) => r[0]) },
      y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, title: null },
      color: { field: 'system', sort: rows.map((r) => r[0]), scale: { range: ['#3b6fd8', '#8fb0ee', '#9aa0a6', '#e0813a'] }, title: null },
      tooltip: [{ field: 'system' }, { field: 'measure' }, { field: 'value', format: '.3f' }],
    },
  } as TopLevelSpec;
}
