import { z } from 'zod';

/**
 * L2-regularised logistic regression over named features: small enough to learn from a hundred
 * labelled incidents, and its output is a probability, so a label's confidence means something.
 * Features are standardised with the training set's mean and spread, stored with the weights.
 */
export const Logistic = z.object({
  features: z.array(z.string()),
  mean: z.array(z.number()),
  scale: z.array(z.number()),
  weights: z.array(z.number()),
  bias: z.number(),
});
export type Logistic = z.infer<typeof Logistic>;

export type Features = Record<string, number>;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function predict(m: Logistic, x: Features): number {
  let z = m.bias;
  for (let i = 0; i < m.features.length; i++) z += m.weights[i]! * (((x[m.features[i]!] ?? 0) - m.mean[i]!) / m.scale[i]!);
  return sigmoid(z);
}

export interface FitOptions {
  /** Penalty on the weights (not the bias), per example. */
  l2?: number;
  iterations?: number;
}

/**
 * Fits by Newton's method on the penalised log-likelihood: a few dozen exact steps, deterministic,
 * and no learning rate to tune. With one class only, the weights stay zero and the bias learns the
 * smoothed base rate.
 */
export function fit(features: string[], xs: readonly Features[], ys: readonly number[], { l2 = 1, iterations = 30 }: FitOptions = {}): Logistic {
  const n = xs.length, d = features.length;
  const cols = features.map((f) => xs.map((x) => x[f] ?? 0));
  const mean = cols.map((c) => c.reduce((a, b) => a + b, 0) / Math.max(1, n));
  const scale = cols.map((c, j) => Math.sqrt(c.reduce((a, v) => a + (v - mean[j]!) ** 2, 0) / Math.max(1, n)) || 1);
  // Row-major design matrix with a leading 1 for the bias.
  const X = xs.map((_x, i) => [1, ...cols.map((c, j) => (c[i]! - mean[j]!) / scale[j]!)]);
  const w = new Array<number>(d + 1).fill(0);
  const positives = ys.reduce((a, b) => a + b, 0);
  w[0] = Math.log((positives + 0.5) / (n - positives + 0.5));
  for (let it = 0; it < iterations; it++) {
    const grad = new Array<number>(d + 1).fill(0);
    const hess = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < n; i++) {
      const row = X[i]!;
      const p = sigmoid(row.reduce((a, v, j) => a + v * w[j]!, 0));
      const r = p * (1 - p);
      for (let j = 0; j <= d; j++) {
        grad[j]! += (p - ys[i]!) * row[j]!;
        for (let k = j; k <= d; k++) hess[j]![k]! += r * row[j]! * row[k]!;
      }
    }
    for (let j = 0; j <= d; j++) {
      for (let k = 0; k < j; k++) hess[j]![k] = hess[k]![j]!;
      // A little ridge on the bias too keeps the step finite when one class is absent.
      hess[j]![j]! += j === 0 ? 1e-6 : l2;
      if (j > 0) grad[j]! += l2 * w[j]!;
    }
    const step = solve(hess, grad);
    let moved = 0;
    for (let j = 0; j <= d; j++) { w[j]! -= step[j]!; moved = Math.max(moved, Math.abs(step[j]!)); }
    if (moved < 1e-7) break;
  }
  const r = (v: number) => Number(v.toFixed(6));
  return { features, mean: mean.map(r), scale: scale.map(r), weights: w.slice(1).map(r), bias: r(w[0]!) };
}

/** Gaussian elimination with partial pivoting; the Hessian is small (one row per feature). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const pivot = m[c]![c]! || 1e-12;
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / pivot;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / (m[r]![r]! || 1e-12);
  }
  return x;
}

/**
 * Fits with sign constraints: a feature whose weight comes out against its known direction (more
 * failure words making a failure report less likely) is learning an accident of the training texts,
 * so it is dropped and the rest refitted, until every constrained weight agrees.
 */
export function fitSigned(features: string[], xs: readonly Features[], ys: readonly number[], signs: Record<string, 1 | -1>, options: FitOptions = {}): Logistic {
  let kept = [...features];
  for (;;) {
    const m = fit(kept, xs, ys, options);
    const wrong = kept.filter((f, i) => signs[f] !== undefined && Math.sign(m.weights[i]!) === -signs[f]!);
    if (wrong.length === 0) return m;
    kept = kept.filter((f) => !wrong.includes(f));
  }
}
