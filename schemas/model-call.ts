import { z } from 'zod';

/** A valid model answer, stored under the hash of everything that produced it (model, messages, schema, parameters). */
export const CachedCall = z.object({
  hash: z.string(),
  model: z.string(),
  /** The answer's raw content, validated again against the task's schema when it is read back. */
  response: z.string(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  cachedTokens: z.number().int(),
});
export type CachedCall = z.infer<typeof CachedCall>;

/** One model call's tokens and cost, accounted to a run and to the article or incident it was for. */
export const Usage = z.object({
  runId: z.string().nullable(),
  callHash: z.string(),
  stage: z.string(),
  subject: z.string().nullable(),
  model: z.string(),
  /** Answered from the response cache: nothing was sent. */
  fromCache: z.boolean(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  cachedTokens: z.number().int(),
  cost: z.number(),
});
export type Usage = z.infer<typeof Usage>;

/** One grounded model answer's quote check: how many quotes it gave, how many were not found, how many were dropped. */
export const QuoteCheck = z.object({
  runId: z.string().nullable(),
  stage: z.string(),
  subject: z.string().nullable(),
  proposed: z.number().int(),
  unplaced: z.number().int(),
  reasked: z.boolean(),
  dropped: z.number().int(),
  /** Facts or labels left with no verified quote after the check (facts are dropped, labels kept at low confidence). */
  unsupported: z.number().int(),
});
export type QuoteCheck = z.infer<typeof QuoteCheck>;

/**
 * One decision the offline pre-filter could settle before a model call: whether it did (`settled`), what
 * the answer was (settled or not, when known) and the offline score it acted on. `against` holds the
 * incident's article ids for a same-incident decision. The eval reads these for calls saved and recall lost.
 */
export const PrefilterDecision = z.object({
  runId: z.string().nullable(),
  stage: z.enum(['screen', 'group']),
  subject: z.string(),
  against: z.array(z.string()),
  settled: z.boolean(),
  answer: z.boolean().nullable(),
  score: z.number(),
});
export type PrefilterDecision = z.infer<typeof PrefilterDecision>;
