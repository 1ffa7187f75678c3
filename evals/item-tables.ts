import { DIMENSION_KEYS, POSTMORTEM_FIELDS, POSTMORTEM_TITLES, dimension, type DimensionKey } from '../schemas/index.ts';
import type { GoldSet } from './gold.ts';
import type { IncidentPrediction } from './harness.ts';
import type { ClusterItem, Items } from './items.ts';
import { factMatches, splitFacts } from './facts.ts';
import { exactSet } from './metrics/sets.ts';
import { ALIGNMENTS } from './harness.ts';
import { fmt, itemsAnchor, type Table } from './tables.ts';

/** What the per-item tables need beyond the scorecard: the items, the gold texts and our answers' texts. */
export interface ReportDetail {
  items: Items;
  gold: GoldSet;
  predicted: ReadonlyMap<string, IncidentPrediction>;
}

/** One table of the items behind a metric; `id` is the anchor the metric links to. */
export interface ItemTable extends Table {
  id: string;
  title: string;
}

const yesNo = (v: boolean | null | undefined) => (v === null || v === undefined ? '—' : v ? 'yes' : 'no');
const set = (xs: readonly string[] | null | undefined) => (xs === null || xs === undefined ? '—' : xs.length ? xs.join(', ') : '(none)');
const tick = (ok: boolean) => (ok ? '✓' : '✗');

function screeningItems(d: ReportDetail): ItemTable {
  const headline = new Map(d.gold.articles.map((a) => [a.id, a.headline]));
  const hasFail = d.items.screening.some((i) => i.fail);
  const rows = d.items.screening.map((i) => [
    i.id,
    headline.get(i.id) ?? '',
    yesNo(i.gold.isFailure),
    `${yesNo(i.pipeline.isFailure)}${i.pipeline.confidence !== null ? ` (${fmt(i.pipeline.confidence, 2)})` : ''}`,
    ...(hasFail ? [yesNo(i.fail?.isFailure)] : []),
    yesNo(i.gold.analyzable),
    yesNo(i.pipeline.analyzable),
    ...(hasFail ? [yesNo(i.fail?.analyzable)] : []),
  ]);
  const wrong = (l: 'isFailure' | 'analyzable', i: (typeof d.items.screening)[number]) =>
    i.gold[l] !== null && (i.pipeline[l] ?? false) !== i.gold[l];
  return {
    id: itemsAnchor.screening,
    title: 'Screening: every article, gold against predicted',
    headers: [
      'article',
      'headline',
      'is failure · gold',
      'ours (confidence)',
      ...(hasFail ? ['FAIL'] : []),
      'analyzable · gold',
      'ours',
      ...(hasFail ? ['FAIL'] : []),
    ],
    rows,
    rowClass: d.items.screening.map((i) => (wrong('isFailure', i) || wrong('analyzable', i) ? 'wrong' : null)),
  };
}

/** Gold clusters and where their articles went; a cluster split up, or merged with another, is wrong. */
function groupingItems(clusters: readonly ClusterItem[], scope: 'stage' | 'endToEnd'): ItemTable {
  const goldOf = new Map<string, Set<string>>();
  for (const c of clusters) for (const a of c.articles) goldOf.set(a.pred, (goldOf.get(a.pred) ?? new Set()).add(c.id));
  const rows = clusters.map((c) => {
    const preds = [...new Set(c.articles.map((a) => a.pred))];
    const merged = preds.filter((p) => (goldOf.get(p)?.size ?? 0) > 1);
    const verdict = preds.length > 1 ? `split in ${preds.length}` : merged.length ? 'merged with another' : 'kept whole';
    return [
      c.id.replace(/^solo:/, '(none) '),
      String(c.articles.length),
      c.articles.map((a) => `${a.id} → ${a.pred.startsWith('solo:') ? 'alone' : a.pred}`).join('\n'),
      verdict,
    ];
  });
  return {
    id: itemsAnchor.grouping(scope),
    title: `Grouping, ${scope === 'stage' ? 'stage alone' : 'end to end'}: every gold cluster and the incidents its articles went to`,
    headers: ['gold cluster', 'articles', 'article → predicted incident', 'verdict'],
    rows,
    rowClass: rows.map((r) => (r[3] === 'kept whole' ? null : 'wrong')),
  };
}

function taxonomyItems(d: ReportDetail, dim: DimensionKey): ItemTable | null {
  const rows = d.items.taxonomy.filter((t) => t.dims[dim]).map((t) => ({ id: t.id, x: t.dims[dim] }));
  if (!rows.length) return null;
  const hasFail = rows.some((r) => r.x.fail);
  return {
    id: itemsAnchor.taxonomy(dim),
    title: dimension(dim).title,
    headers: ['incident', 'gold', 'ours', 'confidence', 'exact', ...(hasFail ? ['FAIL', 'FAIL exact'] : [])],
    rows: rows.map(({ id, x }) => [
      id,
      set(x.gold),
      set(x.pipeline),
      fmt(x.confidence, 2),
      tick(exactSet(x.gold, x.pipeline)),
      ...(hasFail ? [set(x.fail), x.fail ? tick(exactSet(x.gold, x.fail)) : '—'] : []),
    ]),
    rowClass: rows.map(({ x }) => (exactSet(x.gold, x.pipeline) ? null : 'wrong')),
  };
}

/** Gold facts and ours, each marked ✓ when it matches one on the other side (the eval's matching rule). */
function postmortemItems(d: ReportDetail, field: (typeof POSTMORTEM_FIELDS)[number]): ItemTable {
  const goldById = new Map(d.gold.incidents.map((g) => [g.id, g]));
  const rows = d.items.postmortem.map((p) => {
    const gold = splitFacts(goldById.get(p.id)?.gold.postmortem[field]);
    const ours = d.predicted.get(p.id)?.postmortem?.[field].map((f) => f.text) ?? [];
    const list = (xs: string[], hit: (x: string) => boolean) =>
      xs.length ? xs.map((x, i) => `${tick(hit(x))} ${i + 1}. ${x}`).join('\n') : '—';
    const m = p.fields[field].pipeline;
    return [
      p.id,
      list(gold, (g) => ours.some((o) => factMatches(g, o))),
      list(ours, (o) => gold.some((g) => factMatches(g, o))),
      `${m.matchedGold} / ${m.gold}`,
      `${m.matchedPredicted} / ${m.predicted}`,
    ];
  });
  return {
    id: itemsAnchor.postmortem(field),
    title: POSTMORTEM_TITLES[field],
    headers: ['incident', 'gold facts (✓ recalled)', 'our facts (✓ match a gold fact)', 'recall', 'precision'],
    rows,
  };
}

function citationItems(d: ReportDetail): ItemTable {
  return {
    id: itemsAnchor.citations,
    title: "Citations behind each gold incident's record",
    headers: ['incident', ...ALIGNMENTS, 'verified'],
    rows: d.items.citations.map((c) => [c.id, ...ALIGNMENTS.map((k) => String(c.counts[k])), String(c.counts.verified)]),
    rowClass: d.items.citations.map((c) => (c.counts.unaligned ? 'wrong' : null)),
  };
}

/** The per-item tables by report section, each under the anchor its metrics link to. */
export function itemTables(d: ReportDetail): Record<string, { id?: string; tables: ItemTable[] }> {
  const out: Record<string, { id?: string; tables: ItemTable[] }> = {
    screening: { tables: [screeningItems(d)] },
    grouping: { tables: [groupingItems(d.items.grouping.stage, 'stage'), groupingItems(d.items.grouping.endToEnd, 'endToEnd')] },
  };
  if (d.gold.incidents.length) {
    out.taxonomy = {
      id: itemsAnchor.taxonomy(),
      tables: DIMENSION_KEYS.map((k) => taxonomyItems(d, k)).filter((t): t is ItemTable => t !== null),
    };
    out.postmortem = { id: itemsAnchor.postmortem(), tables: POSTMORTEM_FIELDS.map((f) => postmortemItems(d, f)) };
    out.citations = { tables: [citationItems(d)] };
  }
  return out;
}
