import { z } from 'zod';
import { type TaxonomyDimension, UNKNOWN } from '../../../schemas/index.ts';
import { type Features, Logistic, predict } from './logistic.ts';
import { Lexicon } from './lexicon.ts';

/**
 * The shape of the offline backend's learned weights and how they turn into decisions. The weights
 * themselves (model.json, loaded by learned.ts) are written by `failscope learn` (pipeline/learn/), which needs
 * this module before any model.json exists.
 */
const Thresholded = Logistic.extend({ threshold: z.number().min(0).max(1) });
/** A field's fact model; with a lexicon (lexicon.ts), its score of the candidate's words is the feature `lex`. */
const FactModel = Thresholded.extend({ lexicon: Lexicon.nullable().default(null) });
export type FactModel = z.infer<typeof FactModel>;
/**
 * How often each whole option set occurred in training, and how much that counts against the
 * per-option models (0: not at all). Options go together: a breach is malicious and non-malicious
 * together far more often than independent options would predict.
 */
const SetPrior = z.object({
  weight: z.number().min(0),
  sets: z.array(z.object({ options: z.array(z.string()), count: z.number().int() })),
});
export type SetPrior = z.infer<typeof SetPrior>;

/** A labelled folder learned from: enough to tell, at eval time, whether a gold set was learned from. */
export const LearnedSource = z.object({
  dir: z.string(),
  /** Content hash of its articles.jsonl and incidents.jsonl. */
  hash: z.string(),
  incidents: z.array(z.string()),
  articles: z.array(z.string()),
});
export type LearnedSource = z.infer<typeof LearnedSource>;

/**
 * How a dimension's answer is made for the user's labels (the target gold): the option-set frequencies
 * alone ("prior"), the corpus model as it is ("corpus"), per-option models over the corpus model's
 * outputs refitted on the target ("stack"), a vote of the most similar target incidents ("knn"), or the
 * mean of the last two ("blend"). Chosen per dimension by cross-validation on the target gold.
 */
export const EXPERTS = ['prior', 'corpus', 'stack', 'knn', 'blend'] as const;
export const AdaptedDimension = z.object({
  expert: z.enum(EXPERTS),
  /** Each expert's cross-validated exact-set score on the target gold, for the record. */
  scores: z.record(z.string(), z.number()),
  prior: SetPrior,
  /** Smoothed share of target incidents with each option. */
  rates: z.record(z.string(), z.number()),
  /** Per option: over the logits of its own corpus probability and of the shared signals. */
  stack: z.record(z.string(), Logistic),
});
export type AdaptedDimension = z.infer<typeof AdaptedDimension>;

/** A target incident as the kNN expert sees it: its corpus-model logits (standardised) and its gold sets. */
const PoolIncident = z.object({ incident: z.string(), x: z.array(z.number()), options: z.record(z.string(), z.array(z.string())) });

export const Adaptation = z.object({
  sources: z.array(LearnedSource),
  trained: z.object({ articles: z.number().int(), incidents: z.number().int() }),
  /** Weight of one target example against one corpus example in the refitted screening models. */
  targetWeight: z.number().positive(),
  /** The same in the refitted fact models. */
  extractionWeight: z.number().positive().default(1),
  screening: z.object({ isFailure: Thresholded, analyzable: Thresholded }),
  extraction: z.record(z.string(), FactModel),
  /** Corpus-model options (`dim.option`) whose logits every stacked model reads besides its own. */
  shared: z.array(z.string()),
  knn: z.object({
    k: z.number().int().positive(),
    keys: z.array(z.string()),
    mean: z.array(z.number()),
    scale: z.array(z.number()),
    pool: z.array(PoolIncident),
  }),
  taxonomy: z.record(z.string(), AdaptedDimension),
  calibration: z.object({ a: z.number(), b: z.number() }),
  crossValidation: z.record(z.string(), z.number()),
});
export type Adaptation = z.infer<typeof Adaptation>;

export const OfflineModel = z.object({
  learnedFrom: z.array(z.string()),
  trained: z.object({ articles: z.number().int(), incidents: z.number().int() }),
  screening: z.object({ isFailure: Thresholded, analyzable: Thresholded }),
  /** Per postmortem field: P(a sentence states one of the field's facts), and the least kept. */
  extraction: z.record(z.string(), FactModel),
  /** Per dimension, one model per option key (unknown included): P(option is in the gold set). */
  taxonomy: z.record(
    z.string(),
    z.object({
      l2: z.number(),
      options: z.record(z.string(), Logistic),
      prior: SetPrior,
    }),
  ),
  /** Platt scaling of the log-odds of a whole chosen option set, fitted on cross-validated answers. */
  calibration: z.object({ a: z.number(), b: z.number() }),
  /** Cross-validated figures on the training set, for the record (printed by the learner). */
  crossValidation: z.record(z.string(), z.number()),
  /** The corpus folders the parts above were learned from. */
  sources: z.array(LearnedSource).default([]),
  /** The tuning hash (tuning.ts) the features were computed with: other cues or code give other features. */
  tuning: z.string().default(''),
  /** Fitted to the user's own labels (`failscope learn --gold`), when there are any. */
  adaptation: Adaptation.nullable().default(null),
});
export type OfflineModel = z.infer<typeof OfflineModel>;

/** P(option in the set) for each option key of a dimension that the model knows. */
export function optionProbabilities(model: OfflineModel, dim: string, features: Features): Map<string, number> {
  const m = model.taxonomy[dim];
  if (!m) throw new Error(`offline model has no taxonomy model for "${dim}": re-learn it with failscope learn`);
  return new Map(Object.entries(m.options).map(([k, lm]) => [k, predict(lm, features)]));
}

/**
 * The option set to answer. First the most probable set when options are independent: every option
 * likelier in than out, never empty (the likeliest single option then, which may be unknown), unknown
 * only alone, one option for a boolean. Then, with a set prior, that set competes with the sets seen in
 * training, each scored by its independent probability and its smoothed training frequency.
 * Returns the chosen set's independent probability, which the calibration reads.
 */
export function chooseOptions(
  dim: TaxonomyDimension,
  probs: Map<string, number>,
  prior?: SetPrior,
): { options: string[]; probability: number } {
  const ranked = [...probs].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const probability = (set: readonly string[]) => ranked.reduce((acc, [k, p]) => acc * (set.includes(k) ? p : 1 - p), 1);
  let options = dim.kind === 'boolean' ? [] : ranked.filter(([k, p]) => k !== UNKNOWN && p >= 0.5).map(([k]) => k);
  if (options.length === 0) options = [ranked[0]![0]];
  if (prior && prior.weight > 0 && prior.sets.length > 0) {
    const total = prior.sets.reduce((a, s) => a + s.count, 0) + prior.sets.length + 1;
    const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((o) => b.includes(o));
    const score = (set: readonly string[]) =>
      Math.log(Math.max(1e-12, probability(set))) +
      prior.weight * Math.log(((prior.sets.find((s) => same(s.options, set))?.count ?? 0) + 1) / total);
    let best = options,
      bestScore = score(options);
    for (const s of prior.sets) {
      const v = score(s.options);
      if (v > bestScore) {
        best = s.options;
        bestScore = v;
      }
    }
    options = best;
  }
  return { options, probability: probability(options) };
}

export const logit = (p: number) => Math.log(Math.max(1e-9, p) / Math.max(1e-9, 1 - p));
/** Confidence that the chosen set is exactly right, Platt-scaled from its probability. */
export const setConfidence = ({ a, b }: { a: number; b: number }, probability: number) =>
  Number((1 / (1 + Math.exp(-(a * logit(probability) + b)))).toFixed(3));
