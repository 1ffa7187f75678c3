import { DIMENSION_KEYS, POSTMORTEM_FIELDS, type PostmortemField } from '../schemas/index.ts';
import type { GoldSet } from './gold.ts';
import { goldClusterOf } from './gold.ts';
import type { AlignmentCounts, HarnessResult } from './harness.ts';
import { type FactMatch, matchFacts, splitFacts } from './facts.ts';
import { majorityLeaveOneOut, setKey } from './baseline.ts';

/**
 * Per-item records: the unit every metric is computed from, written to items.json so that
 * `eval compare` can recompute any metric on bootstrap resamples of two runs.
 */
export interface ScreeningItem {
  id: string;
  gold: { isFailure: boolean | null; analyzable: boolean | null };
  pipeline: { isFailure: boolean | null; analyzable: boolean | null; confidence: number | null };
  /** FAIL's own answers; FAIL did not ask "analyzable" of articles it judged not failures (read as false). */
  fail: { isFailure: boolean; analyzable: boolean } | null;
  baseline: { isFailure: boolean | null; analyzable: boolean | null };
}

/** One gold cluster and where the pipeline put each of its articles. */
export interface ClusterItem {
  id: string;
  articles: { id: string; pred: string }[];
}

export interface DimItem {
  gold: string[];
  pipeline: string[];
  confidence: number | null;
  fail: string[] | null;
  baseline: string[];
}

export interface TaxonomyItem {
  id: string;
  dims: Record<string, DimItem>;
}

export interface FieldItem {
  pipeline: FactMatch;
  fail: FactMatch | null;
}

export interface PostmortemItem {
  id: string;
  answered: boolean;
  fields: Record<PostmortemField, FieldItem>;
}

export interface Items {
  screening: ScreeningItem[];
  grouping: { endToEnd: ClusterItem[]; stage: ClusterItem[] };
  taxonomy: TaxonomyItem[];
  postmortem: PostmortemItem[];
  citations: { id: string; counts: AlignmentCounts }[];
}

const dedupe = (xs: readonly string[]) => [...new Set(xs.map((x) => x.trim()))].sort();

/** Groups articles by gold cluster; an article in no gold cluster is a cluster of its own. */
function clusters(entries: { id: string; gold: string | null; pred: string }[]): ClusterItem[] {
  const byGold = new Map<string, ClusterItem>();
  for (const e of entries) {
    const key = e.gold ?? `solo:${e.id}`;
    const c = byGold.get(key) ?? { id: key, articles: [] };
    c.articles.push({ id: e.id, pred: e.pred });
    byGold.set(key, c);
  }
  return [...byGold.values()];
}

export function buildItems(gold: GoldSet, h: HarnessResult): Items {
  // ---- screening ----
  const base = (label: 'isFailure' | 'analyzable') => {
    const scored = gold.articles.filter((a) => typeof a.gold[label] === 'boolean');
    const answers = majorityLeaveOneOut(
      scored.map((a) => a.gold[label] as boolean),
      String,
    );
    return new Map(scored.map((a, i) => [a.id, answers[i]]));
  };
  const baseFailure = base('isFailure'),
    baseAnalyzable = base('analyzable');
  const screening: ScreeningItem[] = gold.articles.map((a) => {
    const p = h.articles.get(a.id);
    return {
      id: a.id,
      gold: { isFailure: a.gold.isFailure ?? null, analyzable: a.gold.analyzable ?? null },
      pipeline: { isFailure: p?.isFailure ?? null, analyzable: p?.analyzable ?? null, confidence: p?.confidence ?? null },
      fail: a.reference ? { isFailure: a.reference.isFailure ?? false, analyzable: a.reference.analyzable ?? false } : null,
      baseline: { isFailure: baseFailure.get(a.id) ?? null, analyzable: baseAnalyzable.get(a.id) ?? null },
    };
  });

  // ---- grouping ----
  // End to end: every article; ones the pipeline put in no incident are singletons, as are gold's.
  const endToEnd = clusters(
    gold.articles.map((a) => ({
      id: a.id,
      gold: goldClusterOf(a),
      pred: h.articles.get(a.id)?.incidentId ?? `solo:${a.id}`,
    })),
  );
  // The stage alone: only articles in a gold cluster were given to it.
  const stage = clusters(
    gold.articles
      .filter((a) => goldClusterOf(a) !== null)
      .map((a) => ({
        id: a.id,
        gold: goldClusterOf(a),
        pred: h.articles.get(a.id)?.stageIncidentId ?? `solo:${a.id}`,
      })),
  );

  // ---- taxonomy ----
  const taxonomy: TaxonomyItem[] = gold.incidents.map((inc) => ({ id: inc.id, dims: {} }));
  for (const dim of DIMENSION_KEYS) {
    const scored = gold.incidents.map((inc, i) => ({ inc, i })).filter(({ inc }) => Array.isArray(inc.gold.taxonomy[dim]));
    const goldSets = scored.map(({ inc }) => dedupe(inc.gold.taxonomy[dim]!));
    const baseline = majorityLeaveOneOut(goldSets, setKey);
    scored.forEach(({ inc, i }, k) => {
      const label = h.incidents.get(inc.id)?.labels.find((l) => l.dimension === dim);
      taxonomy[i].dims[dim] = {
        gold: goldSets[k],
        pipeline: label ? dedupe(label.options) : [],
        confidence: label ? label.confidence : null,
        fail: inc.reference ? dedupe(inc.reference.taxonomy?.[dim] ?? []) : null,
        baseline: baseline[k],
      };
    });
  }

  // ---- postmortem ----
  const postmortem: PostmortemItem[] = gold.incidents.map((inc) => {
    const pm = h.incidents.get(inc.id)?.postmortem ?? null;
    const ref = inc.reference?.postmortem;
    const fields = {} as Record<PostmortemField, FieldItem>;
    for (const f of POSTMORTEM_FIELDS) {
      const goldFacts = splitFacts(inc.gold.postmortem[f]);
      fields[f] = {
        pipeline: matchFacts(goldFacts, pm ? pm[f].map((x) => x.text) : []),
        fail: ref ? matchFacts(goldFacts, splitFacts(ref[f])) : null,
      };
    }
    return { id: inc.id, answered: pm !== null, fields };
  });

  const citations = gold.incidents.map((inc) => ({ id: inc.id, counts: h.citations.perIncident.get(inc.id)! }));
  return { screening, grouping: { endToEnd, stage }, taxonomy, postmortem, citations };
}
