import { z } from 'zod';
import { type DimensionKey, POSTMORTEM_FIELDS, TAXONOMY, UNKNOWN, optionKeys, type PostmortemField } from '../../../schemas/index.ts';

/**
 * The shapes the model answers in. They are the schemas sent as `response_format`, so they follow
 * the strict structured-output rules: every property required, `.nullable()` instead of
 * `.optional()`, no unions beyond null. Rules JSON Schema cannot carry portably (non-empty strings,
 * ranges) are zod refinements: checked on every answer, and their messages go back to the model in
 * a re-ask. The model answers with quotes and article ids only; spans are ours to find
 * (pipeline/citations/align.ts), so the model never claims a position we have not checked.
 */

const nonEmpty = (what: string) => z.string().refine((s) => s.trim().length > 0, `${what} must not be empty`);
const probability = z.number().refine((x) => x >= 0 && x <= 1, 'confidence must be between 0 and 1');

/** The quote rules are in the prompt (prompts/_quotes.md): repeating them in every schema node would cost tokens on every call. */
export const Evidence = z.object({
  articleId: z.string(),
  quote: nonEmpty('a quote'),
});
export type Evidence = z.infer<typeof Evidence>;

export const ScreenAnswer = z.object({
  failedSystem: z.string().nullable(),
  cause: z.string().nullable(),
  impact: z.string().nullable(),
  isFailure: z.boolean(),
  analyzable: z.boolean(),
  confidence: probability,
  rationale: nonEmpty('rationale'),
});
export type ScreenAnswer = z.infer<typeof ScreenAnswer>;

export const SameIncidentAnswer = z.object({
  sameIncident: z.boolean(),
  confidence: probability,
  rationale: nonEmpty('rationale'),
});
export type SameIncidentAnswer = z.infer<typeof SameIncidentAnswer>;

const FactAnswer = z.object({
  text: nonEmpty('a fact'),
  evidence: z.array(Evidence),
});
export type FactAnswer = z.infer<typeof FactAnswer>;

const fieldShape = <T extends z.ZodType>(t: T) => Object.fromEntries(POSTMORTEM_FIELDS.map((f) => [f, t])) as Record<PostmortemField, T>;

export const ExtractAnswer = z.object({
  title: nonEmpty('title'),
  summary: nonEmpty('summary'),
  ...fieldShape(z.array(FactAnswer)),
});
export type ExtractAnswer = z.infer<typeof ExtractAnswer>;

/** Merging partial postmortems: facts point at the partial facts (by id) whose quotes they keep. */
const MergedFact = z.object({
  text: nonEmpty('a fact'),
  factIds: z.array(z.string()).refine((ids) => ids.length > 0, 'a merged fact must list at least one fact id'),
});
export const MergeAnswer = z.object({
  title: nonEmpty('title'),
  summary: nonEmpty('summary'),
  ...fieldShape(z.array(MergedFact)),
});
export type MergeAnswer = z.infer<typeof MergeAnswer>;

function labelAnswer(dimKey: DimensionKey) {
  return z.object({
    options: z
      .array(z.enum(optionKeys(dimKey)))
      .refine((o) => o.length > 0, `${dimKey}: options must not be empty (use ["${UNKNOWN}"] when nothing supports an option)`),
    rationale: nonEmpty(`${dimKey} rationale`),
    confidence: probability,
    evidence: z.array(Evidence),
  });
}
export type LabelAnswer = z.infer<ReturnType<typeof labelAnswer>>;

/** All dimensions in one answer; the IoT layers are null unless cps is true. */
export const ClassifyAnswer = z.object(
  Object.fromEntries(TAXONOMY.map((d) => [d.key, d.iotOnly ? labelAnswer(d.key).nullable() : labelAnswer(d.key)])) as Record<
    string,
    z.ZodType<LabelAnswer | null>
  >,
);
export type ClassifyAnswer = Record<string, LabelAnswer | null>;
