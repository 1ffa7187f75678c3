import type { ReviewDecision, ReviewTargetKind } from '../../schemas/review.ts';

/**
 * How a reviewable item is named. A label is reviewed per incident and dimension, whichever backend
 * produced it (gold is about the incident); a fact belongs to one producer's postmortem, so its key
 * includes the producer.
 */
export const factTarget = (field: string, idx: number) => `${field}:${idx}`;

export function targetKey(kind: ReviewTargetKind, incidentId: string, target: string, producer: string | null): string {
  return kind === 'label' ? `label|${incidentId}|${target}` : `fact|${incidentId}|${producer ?? ''}|${target}`;
}

export const decisionKey = (d: ReviewDecision) => targetKey(d.kind, d.incidentId, d.target, d.producer);

/** Latest decisions by target key. */
export function byTarget(decisions: readonly ReviewDecision[]): Map<string, ReviewDecision> {
  return new Map(decisions.map((d) => [decisionKey(d), d]));
}

/** The options a label decision settles on, or null for notes and fact decisions. */
export function reviewedOptions(d: ReviewDecision | undefined | null): string[] | null {
  return d && d.kind === 'label' && d.action !== 'note' ? d.options : null;
}

export const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));
