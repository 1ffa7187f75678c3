import { z } from 'zod';

/**
 * A reviewer's decision on one label (a taxonomy dimension of an incident) or one postmortem fact.
 * Decisions are append-only; the latest non-note decision per target is the reviewed value.
 */
export const ReviewTargetKind = z.enum(['label', 'fact']);
export type ReviewTargetKind = z.infer<typeof ReviewTargetKind>;

/** accept: the model is right; change: the reviewer's options (labels) or text (facts); unknown: the articles do not say (a fact: not supported); note: a comment only. */
export const ReviewAction = z.enum(['accept', 'change', 'unknown', 'note']);
export type ReviewAction = z.infer<typeof ReviewAction>;

/** What the page sends. A label's target is its dimension key; a fact's is `<field>:<index>` with its producer. */
export const DecisionInput = z.strictObject({
  incidentId: z.string().min(1).max(200),
  kind: ReviewTargetKind,
  target: z.string().min(1).max(200),
  producer: z.string().min(1).max(200).optional(),
  action: ReviewAction,
  options: z.array(z.string().max(100)).max(30).optional(),
  text: z.string().max(4000).optional(),
  note: z.string().max(4000).optional(),
  reviewer: z.string().trim().min(1, 'a reviewer name is required').max(80),
});
export type DecisionInput = z.infer<typeof DecisionInput>;

/** The model's answer the decision was made against, so agreement is measured against what the reviewer saw. */
export const DecisionSnapshot = z.object({
  producer: z.string(),
  runId: z.string().nullable(),
  options: z.array(z.string()).optional(),
  confidence: z.number().optional(),
  text: z.string().optional(),
});
export type DecisionSnapshot = z.infer<typeof DecisionSnapshot>;

export const ReviewDecision = z.object({
  id: z.number().int(),
  incidentId: z.string(),
  kind: ReviewTargetKind,
  target: z.string(),
  producer: z.string().nullable(),
  action: ReviewAction,
  options: z.array(z.string()).nullable(),
  text: z.string().nullable(),
  note: z.string().nullable(),
  reviewer: z.string(),
  snapshot: DecisionSnapshot.nullable(),
  createdAt: z.string(),
});
export type ReviewDecision = z.infer<typeof ReviewDecision>;
export type NewReviewDecision = Omit<ReviewDecision, 'id' | 'createdAt'>;
