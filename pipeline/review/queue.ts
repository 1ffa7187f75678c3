import type { Alignment, Citation } from '../../schemas/index.ts';
import { DIMENSION_KEYS, POSTMORTEM_TITLES, TAXONOMY, UNKNOWN, dimension, isDimensionKey } from '../../schemas/index.ts';
import type { ReviewDecision, ReviewTargetKind } from '../../schemas/review.ts';
import type { Store } from '../store/store.ts';
import { HttpError, single } from './http.ts';
import { byTarget, factTarget, sameSet, targetKey } from './targets.ts';

export interface QueueFilters {
  kind?: ReviewTargetKind;
  dimension?: string;
  producer?: string;
  run?: string;
  incident?: string;
  status: 'open' | 'reviewed' | 'all';
  limit: number;
}

export type AlignmentCounts = Record<Alignment, number>;

export interface QueueItem {
  id: string;
  kind: ReviewTargetKind;
  incidentId: string;
  incidentTitle: string;
  /** A dimension key, or `<field>:<index>` for a fact. */
  target: string;
  heading: string;
  producer: string;
  runId: string | null;
  options: string[] | null;
  confidence: number | null;
  text: string | null;
  /** Labels: every producer's answer for the dimension, to show disagreement. */
  answers: { producer: string; options: string[]; confidence: number }[];
  alignments: AlignmentCounts;
  /** Higher is more in need of a look; `reasons` says why, in words. */
  score: number;
  reasons: string[];
  decision: ReviewDecision | null;
}

export const LOW_CONFIDENCE = 0.6;

function alignmentCounts(cs: readonly Citation[]): AlignmentCounts {
  const out: AlignmentCounts = { exact: 0, normalized: 0, fuzzy: 0, unaligned: 0 };
  for (const c of cs) out[c.alignment]++;
  return out;
}

/** Citation trouble adds to an item's uncertainty: quotes not found, found only roughly, or none at all. */
function citationTrouble(a: AlignmentCounts, needsEvidence: boolean, weight: number): { score: number; reasons: string[] } {
  let score = 0;
  const reasons: string[] = [];
  if (a.unaligned) {
    score += 0.6 * weight;
    reasons.push(`${a.unaligned} quote(s) not found in the article`);
  }
  if (a.fuzzy) {
    score += 0.3 * weight;
    reasons.push(`${a.fuzzy} fuzzy quote(s)`);
  }
  const total = a.exact + a.normalized + a.fuzzy + a.unaligned;
  if (needsEvidence && total === 0) {
    score += 0.4 * weight;
    reasons.push('no citation');
  }
  return { score, reasons };
}

/**
 * Ranks a label: low confidence first (1 − confidence), then producers that disagree on the
 * dimension, then citations that are fuzzy, unaligned or missing.
 */
export function labelUncertainty(
  confidence: number,
  disagreeing: number,
  a: AlignmentCounts,
  options: readonly string[],
): { score: number; reasons: string[] } {
  const reasons: string[] = [];
  let score = 1 - confidence;
  if (confidence < LOW_CONFIDENCE) reasons.push(`low confidence ${confidence.toFixed(2)}`);
  if (disagreeing) {
    score += 0.5;
    reasons.push(`${disagreeing + 1} backends disagree`);
  }
  const t = citationTrouble(a, !(options.length === 1 && options[0] === UNKNOWN), 0.5);
  return { score: score + t.score, reasons: [...reasons, ...t.reasons] };
}

/** Facts carry no confidence: only their citations say how sure to be. */
export function factUncertainty(a: AlignmentCounts): { score: number; reasons: string[] } {
  const t = citationTrouble(a, true, 1);
  return { score: 0.2 + t.score, reasons: t.reasons };
}

export function parseQueueFilters(params: URLSearchParams, store: Store): QueueFilters {
  const kind = single(params, 'kind');
  if (kind !== undefined && kind !== 'label' && kind !== 'fact') throw new HttpError(400, `unknown kind "${kind}" (label or fact)`);
  const dim = single(params, 'dimension');
  if (dim !== undefined && !isDimensionKey(dim))
    throw new HttpError(400, `unknown dimension "${dim}" (one of ${DIMENSION_KEYS.join(', ')})`);
  const producer = single(params, 'backend');
  if (producer !== undefined && !store.records.producers().includes(producer))
    throw new HttpError(400, `unknown backend "${producer}" (known: ${store.records.producers().join(', ') || 'none'})`);
  const run = single(params, 'run');
  if (run !== undefined && !store.runs.list().some((r) => r.id === run)) throw new HttpError(400, `unknown run "${run}"`);
  const incident = single(params, 'incident');
  if (incident !== undefined && !store.incidents.get(incident)) throw new HttpError(404, `unknown incident "${incident}"`);
  const status = single(params, 'status') ?? 'open';
  if (status !== 'open' && status !== 'reviewed' && status !== 'all')
    throw new HttpError(400, `unknown status "${status}" (open, reviewed or all)`);
  const limitText = single(params, 'limit') ?? '500';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new HttpError(400, `limit must be a whole number from 1 to 10000, not "${limitText}"`);
  return { kind: kind as ReviewTargetKind | undefined, dimension: dim, producer, run, incident, status, limit };
}

/** Every label and fact, most uncertain first, with the reviewer's latest decision on each. */
export function buildQueue(store: Store, f: QueueFilters): { items: QueueItem[]; total: number; open: number; reviewed: number } {
  const titles = store.records.headlines();
  const latest = byTarget(store.review.latest(f.incident));
  const items: QueueItem[] = [];
  const titleOf = (id: string) => titles.get(id)?.title || id;

  if (f.kind !== 'fact') {
    const byDim = new Map<string, ReturnType<Store['records']['allLabels']>>();
    for (const row of store.records.allLabels()) {
      if (f.incident && row.incidentId !== f.incident) continue;
      if (f.dimension && row.label.dimension !== f.dimension) continue;
      const k = `${row.incidentId}|${row.label.dimension}`;
      byDim.set(k, [...(byDim.get(k) ?? []), row]);
    }
    for (const rows of byDim.values()) {
      // The label shown: the chosen backend's, else the most recently written.
      const primary = f.producer
        ? rows.find((r) => r.producer === f.producer)
        : [...rows].sort((a, b) => b.writtenAt.localeCompare(a.writtenAt))[0];
      if (!primary) continue;
      const l = primary.label;
      if (f.run && l.provenance.runId !== f.run) continue;
      const disagreeing = rows.filter((r) => r !== primary && !sameSet(r.label.options, l.options)).length;
      const alignments = alignmentCounts(l.citations);
      const u = labelUncertainty(l.confidence, disagreeing, alignments, l.options);
      items.push({
        id: `label:${primary.incidentId}:${l.dimension}`,
        kind: 'label',
        incidentId: primary.incidentId,
        incidentTitle: titleOf(primary.incidentId),
        target: l.dimension,
        heading: dimension(l.dimension).title,
        producer: primary.producer,
        runId: l.provenance.runId,
        options: l.options,
        confidence: l.confidence,
        text: null,
        answers: rows.map((r) => ({ producer: r.producer, options: r.label.options, confidence: r.label.confidence })),
        alignments,
        score: u.score,
        reasons: u.reasons,
        decision: latest.get(targetKey('label', primary.incidentId, l.dimension, null)) ?? null,
      });
    }
  }

  if (f.kind !== 'label' && !f.dimension) {
    for (const row of store.records.allFacts()) {
      if (f.incident && row.incidentId !== f.incident) continue;
      if (f.producer && row.producer !== f.producer) continue;
      if (f.run && row.runId !== f.run) continue;
      const target = factTarget(row.field, row.idx);
      const alignments = alignmentCounts(row.fact.citations);
      const u = factUncertainty(alignments);
      items.push({
        id: `fact:${row.incidentId}:${row.producer}:${target}`,
        kind: 'fact',
        incidentId: row.incidentId,
        incidentTitle: titleOf(row.incidentId),
        target,
        heading: `${POSTMORTEM_TITLES[row.field]} #${row.idx + 1}`,
        producer: row.producer,
        runId: row.runId,
        options: null,
        confidence: null,
        text: row.fact.text,
        answers: [],
        alignments,
        score: u.score,
        reasons: u.reasons,
        decision: latest.get(targetKey('fact', row.incidentId, target, row.producer)) ?? null,
      });
    }
  }

  const dimOrder = new Map<string, number>(TAXONOMY.map((d, i) => [d.key, i]));
  const order = (i: QueueItem) => (i.kind === 'label' ? dimOrder.get(i.target)! : 100);
  items.sort((a, b) => b.score - a.score || a.incidentId.localeCompare(b.incidentId) || order(a) - order(b) || a.id.localeCompare(b.id));
  const reviewed = items.filter((i) => i.decision).length;
  const shown = items.filter((i) => f.status === 'all' || (f.status === 'reviewed') === !!i.decision);
  return { items: shown.slice(0, f.limit), total: shown.length, open: items.length - reviewed, reviewed };
}
