import { z } from 'zod';
import { Fact } from './citation.ts';
import { IncidentRecord } from './incident.ts';
import { Provenance, TaxonomyLabel } from './label.ts';
import { POSTMORTEM_FIELDS, Postmortem } from './postmortem.ts';
import { ReviewAction } from './review.ts';

/** A value a reviewer settled: who, when, how (review_decisions), and their note. */
export const ReviewStamp = z.object({
  source: z.literal('review'),
  reviewer: z.string(),
  at: z.string(),
  action: ReviewAction,
  note: z.string().nullable(),
});
export type ReviewStamp = z.infer<typeof ReviewStamp>;

/**
 * An exported fact: the reviewed text wins (a fact marked unsupported keeps its text, with
 * `review.action` "unknown"); `model` keeps the model's own text beside it.
 */
export const ExportFact = Fact.extend({
  review: ReviewStamp.optional(),
  model: Fact.pick({ text: true }).optional(),
});
export type ExportFact = z.infer<typeof ExportFact>;

/**
 * An exported label: the reviewed options win; `model` keeps the model's options and confidence
 * beside them (null when no backend labelled the dimension, and then `provenance` is null too).
 */
export const ExportLabel = TaxonomyLabel.extend({
  confidence: z.number().min(0).max(1).nullable(),
  provenance: Provenance.nullable(),
  review: ReviewStamp.optional(),
  model: TaxonomyLabel.pick({ options: true, confidence: true }).nullable().optional(),
});
export type ExportLabel = z.infer<typeof ExportLabel>;

const factFields = Object.fromEntries(POSTMORTEM_FIELDS.map((f) => [f, z.array(ExportFact)])) as Record<
  (typeof POSTMORTEM_FIELDS)[number],
  z.ZodArray<typeof ExportFact>
>;
export const ExportPostmortem = Postmortem.extend(factFields);
export type ExportPostmortem = z.infer<typeof ExportPostmortem>;

/** What `failscope export` writes: an incident record with the reviewers' decisions applied. */
export const ExportRecord = IncidentRecord.extend({
  postmortem: ExportPostmortem.nullable(),
  labels: z.array(ExportLabel),
});
export type ExportRecord = z.infer<typeof ExportRecord>;
