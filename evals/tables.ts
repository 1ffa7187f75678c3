import { DIMENSION_KEYS, POSTMORTEM_FIELDS, POSTMORTEM_TITLES, dimension } from '../schemas/index.ts';
import type { BinaryScores } from './metrics/prf.ts';
import type { VScores } from './metrics/vmeasure.ts';
import type { Scorecard } from './scorecard.ts';
import { ALIGNMENTS } from './harness.ts';

/** The report's tables as data, rendered both to Markdown (summary.md) and HTML (report.html). */
export interface Table {
  caption?: string;
  headers: string[];
  rows: string[][];
  /** Row indexes to emphasise (our pipeline's rows). */
  strong?: number[];
  /** HTML only: a header row above, spanning columns, and the short column names under it. */
  groups?: { label: string; span: number }[];
  short?: string[];
  /** HTML only: per row, the anchor of the items behind its figures (evals/item-tables.ts). */
  links?: (string | null)[];
  /** HTML only: per row, a class (an item the system got wrong is `wrong`). */
  rowClass?: (string | null)[];
}

/** Anchors of the per-item tables, one per metric's items. */
export const itemsAnchor = {
  screening: 'items-screening',
  grouping: (scope: 'stage' | 'endToEnd') => `items-grouping-${scope}`,
  taxonomy: (dim?: string) => (dim ? `items-taxonomy-${dim}` : 'items-taxonomy'),
  postmortem: (field?: string) => (field ? `items-postmortem-${field}` : 'items-postmortem'),
  citations: 'items-citations',
};

export const fmt = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
export const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);

export function systemName(s: Scorecard): string {
  return `failscope (${s.run.backend}, ${s.run.model})`;
}

function screeningTable(s: Scorecard): Table {
  const rows: string[][] = [],
    strong: number[] = [];
  for (const l of ['isFailure', 'analyzable'] as const) {
    const x = s.screening[l];
    if (x.pipeline.n === 0) continue;
    const row = (name: string, b: BinaryScores | null) =>
      b && rows.push([l, name, String(b.n), fmt(b.precision), fmt(b.recall), fmt(b.f1), `${b.tp} / ${b.fp} / ${b.fn} / ${b.tn}`]);
    strong.push(rows.length);
    row(systemName(s) + (x.unanswered ? ` (${x.unanswered} unanswered)` : ''), x.pipeline);
    row('FAIL (reference answers)', x.fail);
    row('majority baseline (leave-one-out)', x.baseline);
  }
  return {
    headers: ['label', 'system', 'n', 'precision', 'recall', 'F1', 'TP / FP / FN / TN'],
    rows,
    strong,
    links: rows.map(() => itemsAnchor.screening),
  };
}

function groupingTable(s: Scorecard): Table {
  const rows: string[][] = [];
  const row = (scope: string, name: string, v: VScores) =>
    rows.push([
      scope,
      name,
      String(v.n),
      String(v.goldClusters),
      String(v.predictedClusters),
      fmt(v.homogeneity),
      fmt(v.completeness),
      fmt(v.vMeasure),
    ]);
  row('stage alone', systemName(s), s.grouping.stage.pipeline);
  row('stage alone', 'baseline: every article alone', s.grouping.stage.baseline);
  row('end to end', systemName(s), s.grouping.endToEnd.pipeline);
  row('end to end', 'baseline: every article alone', s.grouping.endToEnd.baseline);
  const p = s.grouping.published;
  if (p)
    rows.push(['published', 'FAIL (its own gold set, see below)', '—', '—', '—', fmt(p.homogeneity), fmt(p.completeness), fmt(p.vMeasure)]);
  const links = rows.map((r) =>
    r[0] === 'stage alone' ? itemsAnchor.grouping('stage') : r[0] === 'end to end' ? itemsAnchor.grouping('endToEnd') : null,
  );
  return {
    headers: ['scope', 'system', 'articles', 'gold clusters', 'predicted clusters', 'homogeneity', 'completeness', 'V-measure'],
    rows,
    strong: [0, 2],
    links,
  };
}

function taxonomyTable(s: Scorecard): Table {
  const hasFail = s.taxonomy.mean.fail !== null;
  const trio = (a: number | null | undefined, b: number | null | undefined, c: number | null | undefined) =>
    hasFail ? [fmt(a), fmt(b), fmt(c)] : [fmt(a), fmt(c)];
  const rows = DIMENSION_KEYS.map((d) => {
    const x = s.taxonomy.dimensions[d];
    return [
      dimension(d).title.replace(/ \(.*\)$/, ''),
      String(x.pipeline.n),
      ...trio(x.pipeline.exact, x.fail?.exact, x.baseline.exact),
      ...trio(x.pipeline.jaccard, x.fail?.jaccard, x.baseline.jaccard),
      ...trio(x.pipeline.macroF1, x.fail?.macroF1, x.baseline.macroF1),
    ];
  });
  const m = s.taxonomy.mean;
  rows.push([
    `mean over ${m.pipeline?.dimensions ?? 0} dimensions`,
    '',
    ...trio(m.pipeline?.exact, m.fail?.exact, m.baseline?.exact),
    ...trio(m.pipeline?.jaccard, m.fail?.jaccard, m.baseline?.jaccard),
    ...trio(m.pipeline?.macroF1, m.fail?.macroF1, m.baseline?.macroF1),
  ]);
  const sys = hasFail ? ['ours', 'FAIL', 'baseline'] : ['ours', 'baseline'];
  const metrics = ['exact-set match', 'Jaccard', 'macro-F1'];
  return {
    headers: ['dimension', 'n', ...metrics.flatMap((m) => sys.map((x) => `${m} · ${x}`))],
    groups: [{ label: '', span: 2 }, ...metrics.map((label) => ({ label, span: sys.length }))],
    short: ['dimension', 'n', ...metrics.flatMap(() => sys)],
    rows,
    strong: [rows.length - 1],
    links: [...DIMENSION_KEYS.map((d) => itemsAnchor.taxonomy(d)), itemsAnchor.taxonomy()],
  };
}

function postmortemTable(s: Scorecard): Table {
  const hasFail = s.postmortem.all.fail !== null;
  const rows = [
    ...POSTMORTEM_FIELDS.map((f) => [POSTMORTEM_TITLES[f], s.postmortem.fields[f]] as const),
    ['all fields', s.postmortem.all] as const,
  ].map(([name, x]) => [
    name,
    String(x.pipeline.goldFacts),
    String(x.pipeline.predictedFacts),
    fmt(x.pipeline.recall),
    fmt(x.pipeline.precision),
    ...(hasFail ? [String(x.fail?.predictedFacts ?? '—'), fmt(x.fail?.recall), fmt(x.fail?.precision)] : []),
  ]);
  return {
    headers: [
      'field',
      'gold facts',
      'our facts',
      'recall · ours',
      'precision · ours',
      ...(hasFail ? ['FAIL facts', 'recall · FAIL', 'precision · FAIL'] : []),
    ],
    groups: [{ label: '', span: 2 }, { label: 'failscope', span: 3 }, ...(hasFail ? [{ label: 'FAIL', span: 3 }] : [])],
    short: ['field', 'gold facts', 'facts', 'recall', 'precision', ...(hasFail ? ['facts', 'recall', 'precision'] : [])],
    rows,
    strong: [rows.length - 1],
    links: [...POSTMORTEM_FIELDS.map((f) => itemsAnchor.postmortem(f)), itemsAnchor.postmortem()],
  };
}

function citationTable(s: Scorecard): Table {
  const row = (name: string, c: Scorecard['citations']['goldIncidents']) => [
    name,
    String(c.total),
    ...ALIGNMENTS.map((k) => `${c.counts[k]} (${pct(c.share[k])})`),
    pct(c.share.verified),
  ];
  return {
    headers: ['records', 'citations', ...ALIGNMENTS, 'verified'],
    rows: [
      row('gold incidents (extract + classify)', s.citations.goldIncidents),
      row('end to end (pipeline incidents)', s.citations.endToEnd),
    ],
    links: [itemsAnchor.citations, null],
  };
}

function calibrationTable(s: Scorecard): Table {
  const t = s.calibration.taxonomy,
    sc = s.calibration.screening;
  return {
    headers: ['answers', 'n', 'mean confidence', 'accuracy', 'ECE'],
    rows: [
      ['taxonomy labels (exact set)', String(t.n), fmt(t.meanConfidence), fmt(t.accuracy), fmt(t.ece)],
      ['screening (is failure)', String(sc.n), fmt(sc.meanConfidence), fmt(sc.accuracy), fmt(sc.ece)],
    ],
    links: [itemsAnchor.taxonomy(), itemsAnchor.screening],
  };
}

function binsTable(s: Scorecard): Table {
  const rows = s.calibration.taxonomy.bins
    .filter((b) => b.n > 0)
    .map((b) => [`${b.lo.toFixed(1)}–${b.hi.toFixed(1)}`, String(b.n), fmt(b.meanConfidence), fmt(b.accuracy)]);
  return {
    caption: 'Reliability bins, taxonomy labels',
    headers: ['confidence', 'n', 'mean confidence', 'accuracy'],
    rows,
    links: rows.map(() => itemsAnchor.taxonomy()),
  };
}

export interface Section {
  id: string;
  title: string;
  note?: string;
  tables: Table[];
}

const saved = (n: number, of: number) => `${n} of ${of} (${pct(of ? n / of : null)})`;

function prefilterTable(s: Scorecard): Table {
  const rows: string[][] = [];
  const sc = s.prefilter?.screen,
    g = s.prefilter?.group;
  if (sc)
    rows.push([
      'screening',
      saved(sc.settledNo + sc.settledYes, sc.decisions),
      `${sc.settledNo} no, ${sc.settledYes} yes`,
      `${sc.lost} of ${sc.goldFailures} gold failures (${fmt(sc.recallLost)})`,
      `${sc.wrongYes} gold non-failures settled as failures`,
    ]);
  if (g)
    rows.push([
      'same incident (stage alone)',
      saved(g.settled, g.decisions),
      '',
      `${g.lost} of ${g.goldSame} gold joins (${fmt(g.recallLost)})`,
      `${g.wrongJoins} settled joins the gold keeps apart`,
    ]);
  return { headers: ['decision', 'calls saved', 'settled', 'recall lost', 'other errors'], rows };
}

export function sections(s: Scorecard): Section[] {
  const out: Section[] = [
    { id: 'screening', title: 'Screening', note: s.rules.screening, tables: [screeningTable(s)] },
    {
      id: 'grouping',
      title: 'Grouping',
      note:
        s.rules.grouping +
        (s.grouping.published ? ` Published: ${s.grouping.published.source}, measured on FAIL's own gold set, not this one.` : ''),
      tables: [groupingTable(s)],
    },
  ];
  if (s.goldSet.incidents > 0) {
    out.push(
      { id: 'taxonomy', title: 'Taxonomy', note: `${s.rules.taxonomy} ${s.rules.baseline}`, tables: [taxonomyTable(s)] },
      { id: 'postmortem', title: 'Postmortem facts', note: s.rules.postmortem, tables: [postmortemTable(s)] },
    );
  }
  if (s.prefilter?.screen || s.prefilter?.group)
    out.push({ id: 'prefilter', title: 'Pre-filter', note: s.rules.prefilter, tables: [prefilterTable(s)] });
  out.push(
    { id: 'citations', title: 'Citations', note: s.rules.citations, tables: [citationTable(s)] },
    {
      id: 'calibration',
      title: 'Calibration',
      note: s.rules.calibration,
      tables: [calibrationTable(s), ...(s.calibration.taxonomy.n ? [binsTable(s)] : [])],
    },
  );
  return out;
}

/** One line per stage: the figure to quote, ours beside FAIL's. */
export function keyFigures(s: Scorecard): Table {
  const rows: string[][] = [];
  const links: string[] = [];
  const add = (link: string, row: string[]) => {
    rows.push(row);
    links.push(link);
  };
  const f = s.screening;
  if (f.isFailure.pipeline.n)
    add(itemsAnchor.screening, [
      `is-failure F1 (${f.isFailure.pipeline.n} articles)`,
      fmt(f.isFailure.pipeline.f1),
      fmt(f.isFailure.fail?.f1),
      fmt(f.isFailure.baseline.f1),
    ]);
  if (f.analyzable.pipeline.n)
    add(itemsAnchor.screening, [
      `analyzable F1 (${f.analyzable.pipeline.n} articles)`,
      fmt(f.analyzable.pipeline.f1),
      fmt(f.analyzable.fail?.f1),
      fmt(f.analyzable.baseline.f1),
    ]);
  // Without gold incidents there is no grouping to score (V-measure of nothing is 1 by convention, not a result).
  if (s.grouping.stage.pipeline.n)
    add(itemsAnchor.grouping('stage'), [
      'grouping V-measure, stage alone',
      fmt(s.grouping.stage.pipeline.vMeasure),
      s.grouping.published ? `${fmt(s.grouping.published.vMeasure)} (published)` : '—',
      fmt(s.grouping.stage.baseline.vMeasure),
    ]);
  if (s.grouping.endToEnd.pipeline.n)
    add(itemsAnchor.grouping('endToEnd'), [
      'grouping V-measure, end to end',
      fmt(s.grouping.endToEnd.pipeline.vMeasure),
      '—',
      fmt(s.grouping.endToEnd.baseline.vMeasure),
    ]);
  if (s.goldSet.incidents > 0) {
    const m = s.taxonomy.mean;
    add(itemsAnchor.taxonomy(), ['taxonomy exact-set match (mean)', fmt(m.pipeline?.exact), fmt(m.fail?.exact), fmt(m.baseline?.exact)]);
    add(itemsAnchor.taxonomy(), ['taxonomy Jaccard (mean)', fmt(m.pipeline?.jaccard), fmt(m.fail?.jaccard), fmt(m.baseline?.jaccard)]);
    add(itemsAnchor.postmortem(), [
      'postmortem fact recall',
      fmt(s.postmortem.all.pipeline.recall),
      fmt(s.postmortem.all.fail?.recall),
      '—',
    ]);
    add(itemsAnchor.postmortem(), [
      'postmortem fact precision',
      fmt(s.postmortem.all.pipeline.precision),
      fmt(s.postmortem.all.fail?.precision),
      '—',
    ]);
    add(itemsAnchor.taxonomy(), ['taxonomy ECE (lower is better)', fmt(s.calibration.taxonomy.ece), '—', '—']);
  }
  const p = s.prefilter;
  if (p?.screen)
    add('prefilter', [
      'screening calls saved by the offline pre-filter (recall lost)',
      `${pct(p.screen.callsSaved)} (${fmt(p.screen.recallLost)})`,
      '—',
      '—',
    ]);
  if (p?.group)
    add('prefilter', ['same-incident calls saved (recall lost)', `${pct(p.group.callsSaved)} (${fmt(p.group.recallLost)})`, '—', '—']);
  const hasFail = s.goldSet.kind === 'fail';
  add(itemsAnchor.citations, [
    'citations verified',
    pct(s.citations.goldIncidents.total ? s.citations.goldIncidents.share.verified : s.citations.endToEnd.share.verified),
    hasFail ? 'none (cites article ids only)' : '—',
    '—',
  ]);
  return { headers: ['metric', systemName(s), 'FAIL', 'majority baseline'], rows, links };
}
