import { type Features, type FitOptions, fitSigned, predict } from '../backends/offline/logistic.ts';

export const FOLDS = 5;
export const r3 = (v: number) => Number(v.toFixed(3));

/**
 * Out-of-fold predictions: every example predicted by a model that never saw it, nor, through
 * `foldOf`, anything from the same incident. `weights` lets some examples count more (the user's own).
 */
export function crossPredict(
  features: string[],
  xs: readonly Features[],
  ys: readonly number[],
  opts: FitOptions & { signs?: Record<string, 1 | -1>; foldOf?: (i: number) => number; weights?: readonly number[] } = {},
): number[] {
  const { signs = {}, foldOf = (i: number) => i % FOLDS, weights, ...fitOpts } = opts;
  const out = new Array<number>(xs.length).fill(0);
  for (let k = 0; k < FOLDS; k++) {
    const train = xs.map((_x, i) => i).filter((i) => foldOf(i) !== k);
    if (train.length === 0) continue;
    const m = fitSigned(
      features,
      train.map((i) => xs[i]!),
      train.map((i) => ys[i]!),
      signs,
      { ...fitOpts, weights: weights && train.map((i) => weights[i]!) },
    );
    xs.forEach((x, i) => {
      if (foldOf(i) === k) out[i] = predict(m, x);
    });
  }
  return out;
}
