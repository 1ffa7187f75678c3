import { DIMENSION_KEYS, type DimensionKey, POSTMORTEM_FIELDS, type PostmortemField, optionKeys } from '../schemas/index.ts';
import { type BinaryScores, binaryScores, meanOf, ratio } from './metrics/prf.ts';
import { type VScores, vMeasure } from './metrics/vmeasure.ts';
import { type SetScores, exactSet, jaccard, setScores } from './metrics/sets.ts';
import { type Calibration, calibration } from './metrics/calibration.ts';
import type { ClusterItem, DimItem, Items, PostmortemItem, ScreeningItem, TaxonomyItem } from './items.ts';
import { ALIGNMENTS, type AlignmentCounts, emptyCounts } from './harness.ts';

/** Whose answers are scored: ours, FAIL's (the gold files' `reference`), or the majority baseline. */
export type System = 'pipeline' | 'fail' | 'baseline';
export type ScreenLabel = 'isFailure' | 'analyzable';

// ---- screening ----------------------------------------------------------------------------------

/**
 * Articles whose gold has this label (Ko has isFailure on 31 articles only; analyzable is null for
 * non-failures). No answer from the pipeline counts as `false`. FAIL is scored on the articles that
 * carry its answers; null when none do.
 */
export function screeningScores(items: readonly ScreeningItem[], label: ScreenLabel, system: System): BinaryScores | null {
  const scored = items.filter((i) => i.gold[label] !== null && (system !== 'fail' || i.fail !== null));
  if (system === 'fail' && scored.length === 0) return null;
  return binaryScores(
    scored.map((i) => ({ gold: i.gold[label]!, pred: (system === 'fail' ? i.fail![label] : i[system][label]) ?? false })),
  );
}

// ---- grouping -----------------------------------------------------------------------------------

export function groupingScores(clusters: readonly ClusterItem[], system: 'pipeline' | 'baseline'): VScores {
  return vMeasure(clusters.flatMap((c) => c.articles.map((a) => ({ gold: c.id, pred: system === 'baseline' ? `solo:${a.id}` : a.pred }))));
}

// ---- taxonomy -----------------------------------------------------------------------------------

export function dimensionScores(items: readonly TaxonomyItem[], dim: DimensionKey, system: System): SetScores | null {
  const rows = items.map((i) => i.dims[dim]).filter((d) => d !== undefined && (system !== 'fail' || d.fail !== null));
  if (system === 'fail' && rows.length === 0) return null;
  return setScores(
    rows.map((d) => ({ gold: d.gold, pred: system === 'fail' ? d.fail! : d[system] })),
    optionKeys(dim),
  );
}

export interface MeanScores {
  dimensions: number;
  exact: number | null;
  jaccard: number | null;
  macroF1: number | null;
}

export function meanTaxonomy(items: readonly TaxonomyItem[], system: System): MeanScores | null {
  const per = DIMENSION_KEYS.map((d) => dimensionScores(items, d, system)).filter((s): s is SetScores => s !== null && s.n > 0);
  if (per.length === 0) return null;
  return {
    dimensions: per.length,
    exact: meanOf(per.map((s) => s.exact)),
    jaccard: meanOf(per.map((s) => s.jaccard)),
    macroF1: meanOf(per.map((s) => s.macroF1)),
  };
}

// ---- postmortem ---------------------------------------------------------------------------------

export interface FactScores {
  incidents: number;
  goldFacts: number;
  predictedFacts: number;
  matchedGold: number;
  matchedPredicted: number;
  recall: number | null;
  precision: number | null;
  f1: number | null;
}

export function factScores(
  items: readonly PostmortemItem[],
  fields: readonly PostmortemField[],
  system: 'pipeline' | 'fail',
): FactScores | null {
  const rows = items.filter((i) => system === 'pipeline' || POSTMORTEM_FIELDS.every((f) => i.fields[f].fail !== null));
  if (system === 'fail' && rows.length === 0) return null;
  const s = { incidents: rows.length, goldFacts: 0, predictedFacts: 0, matchedGold: 0, matchedPredicted: 0 };
  for (const i of rows)
    for (const f of fields) {
      const m = i.fields[f][system]!;
      s.goldFacts += m.gold;
      s.predictedFacts += m.predicted;
      s.matchedGold += m.matchedGold;
      s.matchedPredicted += m.matchedPredicted;
    }
  const recall = ratio(s.matchedGold, s.goldFacts),
    precision = ratio(s.matchedPredicted, s.predictedFacts);
  const f1 = recall === null || precision === null ? null : recall + precision === 0 ? 0 : (2 * recall * precision) / (recall + precision);
  return { ...s, recall, precision, f1 };
}

// ---- citations and calibration ------------------------------------------------------------------

export interface CitationScores {
  total: number;
  counts: AlignmentCounts;
  share: Record<(typeof ALIGNMENTS)[number] | 'verified', number | null>;
}

export function citationScores(counts: readonly AlignmentCounts[]): CitationScores {
  const sum = emptyCounts();
  for (const c of counts) for (const k of [...ALIGNMENTS, 'verified'] as const) sum[k] += c[k];
  const total = ALIGNMENTS.reduce((n, k) => n + sum[k], 0);
  const share = Object.fromEntries(
    [...ALIGNMENTS, 'verified'].map((k) => [k, ratio(sum[k as keyof AlignmentCounts], total)]),
  ) as CitationScores['share'];
  return { total, counts: sum, share };
}

/** Each taxonomy answer's confidence against whether its option set equals the gold's. */
export function taxonomyCalibration(items: readonly TaxonomyItem[]): Calibration {
  return calibration(
    items.flatMap((i) =>
      Object.values(i.dims)
        .filter((d) => d.confidence !== null)
        .map((d) => ({
          confidence: d.confidence!,
          correct: d.gold.length === d.pipeline.length && d.gold.every((g) => d.pipeline.includes(g)),
        })),
    ),
  );
}

/** The screening confidence against whether the is-failure decision matches the gold. */
export function screeningCalibration(items: readonly ScreeningItem[]): Calibration {
  return calibration(
    items
      .filter((i) => i.gold.isFailure !== null && i.pipeline.confidence !== null && i.pipeline.isFailure !== null)
      .map((i) => ({ confidence: i.pipeline.confidence!, correct: i.pipeline.isFailure === i.gold.isFailure })),
  );
}

// ---- headline metrics: one number each, recomputable from items (for eval compare) -------------

export interface MetricDef {
  key: string;
  /** The items resampled together in the paired bootstrap. */
  units(items: Items): { id: string }[];
  stat(units: readonly never[]): number | null;
  /** ECE is better lower; every other metric higher. */
  lowerIsBetter?: boolean;
}

/**
 * The bootstrap recomputes taxonomy metrics thousands of times, so they get a lean path: per-item
 * exact and Jaccard values are computed once, and macro-F1 counts only the options that occur (the
 * same options setScores averages over). The CI test checks these agree with the scorecard.
 */
const dimCache = new WeakMap<DimItem, { exact: number; jaccard: number }>();
function dimPair(d: DimItem): { exact: number; jaccard: number } {
  let v = dimCache.get(d);
  if (!v) {
    v = { exact: exactSet(d.gold, d.pipeline) ? 1 : 0, jaccard: jaccard(d.gold, d.pipeline) };
    dimCache.set(d, v);
  }
  return v;
}

function leanDimension(rows: readonly DimItem[], metric: 'exact' | 'jaccard' | 'macroF1'): number | null {
  if (rows.length === 0) return null;
  if (metric !== 'macroF1') return rows.reduce((acc, d) => acc + dimPair(d)[metric], 0) / rows.length;
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const at = (k: string) => {
    let c = counts.get(k);
    if (!c) {
      c = { tp: 0, fp: 0, fn: 0 };
      counts.set(k, c);
    }
    return c;
  };
  for (const d of rows) {
    for (const g of new Set(d.gold))
      if (d.pipeline.includes(g)) at(g).tp++;
      else at(g).fn++;
    for (const p of new Set(d.pipeline)) if (!d.gold.includes(p)) at(p).fp++;
  }
  let sum = 0;
  for (const c of counts.values()) sum += (2 * c.tp) / (2 * c.tp + c.fp + c.fn);
  return counts.size ? sum / counts.size : null;
}

function leanMean(items: readonly TaxonomyItem[], metric: 'exact' | 'jaccard' | 'macroF1'): number | null {
  return meanOf(
    DIMENSION_KEYS.map((d) =>
      leanDimension(
        items.map((i) => i.dims[d]).filter((x): x is DimItem => x !== undefined),
        metric,
      ),
    ),
  );
}

const def = <U extends { id: string }>(
  key: string,
  units: (i: Items) => U[],
  stat: (u: readonly U[]) => number | null,
  lowerIsBetter = false,
): MetricDef => ({ key, units, stat: stat as MetricDef['stat'], lowerIsBetter });

export const METRICS: MetricDef[] = [
  ...(['isFailure', 'analyzable'] as const).flatMap((l) =>
    (['precision', 'recall', 'f1'] as const).map((m) =>
      def(
        `screening.${l}.${m}`,
        (i) => i.screening.filter((s) => s.gold[l] !== null),
        (u) => screeningScores(u, l, 'pipeline')?.[m] ?? null,
      ),
    ),
  ),
  ...(['endToEnd', 'stage'] as const).flatMap((g) =>
    (['homogeneity', 'completeness', 'vMeasure'] as const).map((m) =>
      def(
        `grouping.${g}.${m}`,
        (i) => i.grouping[g],
        (u) => (u.length ? groupingScores(u, 'pipeline')[m] : null),
      ),
    ),
  ),
  ...(['exact', 'jaccard', 'macroF1'] as const).map((m) =>
    def(
      `taxonomy.mean.${m}`,
      (i) => i.taxonomy,
      (u) => leanMean(u, m),
    ),
  ),
  ...DIMENSION_KEYS.flatMap((d) =>
    (['exact', 'jaccard', 'macroF1'] as const).map((m) =>
      def(
        `taxonomy.${d}.${m}`,
        (i) => i.taxonomy.filter((t) => t.dims[d]),
        (u) =>
          leanDimension(
            u.map((t) => t.dims[d]),
            m,
          ),
      ),
    ),
  ),
  ...(['recall', 'precision', 'f1'] as const).map((m) =>
    def(
      `postmortem.all.${m}`,
      (i) => i.postmortem,
      (u) => factScores(u, POSTMORTEM_FIELDS, 'pipeline')?.[m] ?? null,
    ),
  ),
  ...POSTMORTEM_FIELDS.flatMap((f) =>
    (['recall', 'precision'] as const).map((m) =>
      def(
        `postmortem.${f}.${m}`,
        (i) => i.postmortem,
        (u) => factScores(u, [f], 'pipeline')?.[m] ?? null,
      ),
    ),
  ),
  ...([...ALIGNMENTS, 'verified'] as const).map((k) =>
    def(
      `citations.${k}`,
      (i) => i.citations,
      (u) => citationScores(u.map((c) => c.counts)).share[k],
      k === 'unaligned',
    ),
  ),
  def(
    'calibration.taxonomy.ece',
    (i) => i.taxonomy,
    (u) => taxonomyCalibration(u).ece,
    true,
  ),
  def(
    'calibration.screening.ece',
    (i) => i.screening,
    (u) => screeningCalibration(u).ece,
    true,
  ),
];

export function headline(items: Items): Record<string, number | null> {
  return Object.fromEntries(METRICS.map((m) => [m.key, m.stat(m.units(items) as never[])]));
}
