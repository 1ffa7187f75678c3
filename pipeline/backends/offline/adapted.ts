import { type Dimension, type DimensionKey, TAXONOMY, optionKeys } from '../../../schemas/index.ts';
import { UNKNOWN } from '../../../schemas/index.ts';
import { type Features, predict } from './logistic.ts';
import { TUNING } from './tuning.ts';
import { type Adaptation, type AdaptedDimension, chooseOptions, logit } from './model.ts';

/**
 * The answer for the user's labelling conventions (model.adaptation, fitted by `failscope learn`). The
 * corpus model reads what the articles say; how a team of analysts turns that into option sets is
 * theirs, and a few dozen of their incidents show it. Each dimension answers with the expert that
 * cross-validated best on their gold (see model.ts EXPERTS).
 */

/** The corpus model's probability of every option of every dimension, as logits named `logit.dim.option`. */
export type CorpusLogits = Features;

export interface Answer {
  options: string[];
  /** Probability of the whole set under the expert: what the calibration reads. */
  probability: number;
  /** Per option, the expert's probability that it is in the set. */
  probs: Map<string, number>;
}

/** The k target incidents most like this one, by the corpus model's view of both. */
export function neighbours(
  a: Pick<Adaptation, 'knn'>,
  x: CorpusLogits,
  dim: string,
  exclude?: ReadonlySet<string>,
): Adaptation['knn']['pool'] {
  const v = a.knn.keys.map((k, i) => ((x[k] ?? 0) - a.knn.mean[i]!) / a.knn.scale[i]!);
  return a.knn.pool
    .filter((p) => p.options[dim] && !exclude?.has(p.incident))
    .map((p) => ({ p, d: p.x.reduce((acc, xi, i) => acc + (xi - v[i]!) ** 2, 0) }))
    .sort((m, n) => m.d - n.d || m.p.incident.localeCompare(n.p.incident))
    .slice(0, a.knn.k)
    .map((m) => m.p);
}

/** Per option: P(in the set) from each expert that reads probabilities. */
export function expertProbabilities(
  a: Pick<Adaptation, 'knn'>,
  d: AdaptedDimension,
  dim: string,
  x: CorpusLogits,
  corpus: Map<string, number>,
): Record<'corpus' | 'stack' | 'knn' | 'blend', Map<string, number>> {
  const keys = optionKeys(dim as DimensionKey);
  const stack = new Map(keys.map((k) => [k, d.stack[k] ? predict(d.stack[k], x) : (d.rates[k] ?? 0)]));
  const near = neighbours(a, x, dim);
  // The neighbours' votes, pulled towards the option's rate as if two more average incidents had voted.
  const knn = new Map(
    keys.map((k) => [k, (near.filter((p) => p.options[dim]!.includes(k)).length + 2 * (d.rates[k] ?? 0)) / (near.length + 2)]),
  );
  const blend = new Map(keys.map((k) => [k, (stack.get(k)! + knn.get(k)!) / 2]));
  return { corpus, stack, knn, blend };
}

/** What the layer needs to answer: the kNN pool and the per-dimension experts. */
export type AnswerParts = Pick<Adaptation, 'knn' | 'taxonomy'>;

/**
 * cps by expected loss rather than the likelier answer (tuning: taxonomy.cpsTrueAt): with P(true) read
 * from the per-option probabilities, true from the threshold on. An `unknown` answer is left as it is.
 */
export function decideCps(answer: Answer, trueAt: number): Answer {
  if (answer.options[0] === UNKNOWN) return answer;
  const t = answer.probs.get('true') ?? 0,
    f = answer.probs.get('false') ?? 0;
  const p = t + f > 0 ? t / (t + f) : 0;
  const options = [p >= trueAt ? 'true' : 'false'];
  return { ...answer, options, probability: options[0] === 'true' ? p : 1 - p };
}

export function adaptedAnswer(a: AnswerParts, dim: Dimension, x: CorpusLogits, corpus: Map<string, number>): Answer {
  const answer = answerOf(a, dim, x, corpus);
  return dim.key === 'cps' ? decideCps(answer, TUNING.settings.taxonomy.cpsTrueAt) : answer;
}

function answerOf(a: AnswerParts, dim: Dimension, x: CorpusLogits, corpus: Map<string, number>): Answer {
  const d = a.taxonomy[dim.key];
  if (!d) throw new Error(`the adapted model has no "${dim.key}": re-run failscope learn`);
  if (d.expert === 'prior') {
    const total = d.prior.sets.reduce((n, s) => n + s.count, 0);
    const top = d.prior.sets[0];
    if (!top) return { options: ['unknown'], probability: 0, probs: new Map() };
    return { options: top.options, probability: top.count / Math.max(1, total), probs: new Map(Object.entries(d.rates)) };
  }
  const probs = expertProbabilities(a, d, dim.key, x, corpus)[d.expert];
  const choice = chooseOptions(dim, probs, d.prior);
  return { ...choice, probs };
}

/** Every option of every dimension as a logit feature, for the adapted models. */
export function corpusLogits(all: ReadonlyMap<string, Map<string, number>>): CorpusLogits {
  const x: CorpusLogits = {};
  for (const dim of TAXONOMY) for (const [k, p] of all.get(dim.key) ?? []) x[`logit.${dim.key}.${k}`] = logit(p);
  return x;
}
