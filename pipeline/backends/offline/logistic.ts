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
  /** Per-example weights (default 1): the user's own labels may count more than the corpus's. */
  weights?: readonly number[];
}

/**
 * Fits by Newton's method on the penalised log-likelihood: a few dozen exact steps, deterministic,
 * and no learning rate to tune. With one class only, the weights stay zero and the bias learns the
 * smoothed base rate.
 */
export function fit(
  features: string[],
  xs: readonly Features[],
  ys: readonly number[],
  { l2 = 1, iterations = 30, weights }: FitOptions = {},
): Logistic {
  const n = xs.length,
    d = features.length;
  const wt = (i: number) => weights?.[i] ?? 1;
  const W = xs.reduce((a, _x, i) => a + wt(i), 0);
  const cols = features.map((f) => xs.map((x) => x[f] ?? 0));
  const mean = cols.map((c) => c.reduce((a, b, i) => a + wt(i) * b, 0) / Math.max(1e-9, W));
  // A (nearly) constant feature is left unscaled: dividing by a spread that rounds to zero would turn
  // its next value into an infinity.
  const scale = cols.map((c, j) => {
    const sd = Math.sqrt(c.reduce((a, v, i) => a + wt(i) * (v - mean[j]!) ** 2, 0) / Math.max(1e-9, W));
    return sd >= 1e-3 ? sd : 1;
  });
  // Row-major design matrix with a leading 1 for the bias, in flat typed arrays: these loops are nearly all of
  // `failscope learn`'s time (it fits thousands of models), and the arithmetic is the same, step for step.
  const D = d + 1;
  const X = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    X[i * D] = 1;
    for (let j = 0; j < d; j++) X[i * D + j + 1] = (cols[j]![i]! - mean[j]!) / scale[j]!;
  }
  const w = new Float64Array(D);
  const positives = ys.reduce((a, b, i) => a + wt(i) * b, 0);
  w[0] = Math.log((positives + 0.5) / (W - positives + 0.5));
  const grad = new Float64Array(D);
  const hess = new Float64Array(D * D);
  for (let it = 0; it < iterations; it++) {
    grad.fill(0);
    hess.fill(0);
    for (let i = 0; i < n; i++) {
      const o = i * D;
      let z = 0;
      for (let j = 0; j < D; j++) z += X[o + j]! * w[j]!;
      const p = sigmoid(z);
      const r = wt(i) * p * (1 - p);
      for (let j = 0; j < D; j++) {
        const xj = X[o + j]!;
        grad[j]! += wt(i) * (p - ys[i]!) * xj;
        const rx = r * xj;
        for (let k = j; k < D; k++) hess[j * D + k]! += rx * X[o + k]!;
      }
    }
    for (let j = 0; j < D; j++) {
      for (let k = 0; k < j; k++) hess[j * D + k] = hess[k * D + j]!;
      // A little ridge on the bias too keeps the step finite when one class is absent.
      hess[j * D + j]! += j === 0 ? 1e-6 : l2;
      if (j > 0) grad[j]! += l2 * w[j]!;
    }
    const step = solve(hess, grad);
    let moved = 0;
    for (let j = 0; j < D; j++) {
      w[j]! -= step[j]!;
      moved = Math.max(moved, Math.abs(step[j]!));
    }
    if (moved < 1e-7) break;
  }
  const r = (v: number) => Number(v.toFixed(6));
  return { features, mean: mean.map(r), scale: scale.map(r), weights: Array.from(w.subarray(1), r), bias: r(w[0]!) };
}

/** Gaussian elimination with partial pivoting on a flat n×n matrix; the Hessian is small (one row per feature). */
function solve(a: Float64Array, b: Float64Array): Float64Array {
  const n = b.length,
    N = n + 1;
  const m = new Float64Array(n * N);
  for (let i = 0; i < n; i++) {
    m.set(a.subarray(i * n, i * n + n), i * N);
    m[i * N + n] = b[i]!;
  }
  // Rows are swapped through an index rather than moved.
  const row = Array.from({ length: n }, (_, i) => i * N);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[row[r]! + c]!) > Math.abs(m[row[p]! + c]!)) p = r;
    [row[c], row[p]] = [row[p]!, row[c]!];
    const rc = row[c]!;
    const pivot = m[rc + c]! || 1e-12;
    for (let r = c + 1; r < n; r++) {
      const rr = row[r]!;
      const f = m[rr + c]! / pivot;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[rr + k]! -= f * m[rc + k]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    const rr = row[r]!;
    let s = m[rr + n]!;
    for (let k = r + 1; k < n; k++) s -= m[rr + k]! * x[k]!;
    x[r] = s / (m[rr + r]! || 1e-12);
  }
  return x;
}

/**
 * Fits with sign constraints: a feature whose weight comes out against its known direction (more
 * failure words making a failure report less likely) is learning an accident of the training texts,
 * so it is dropped and the rest refitted, until every constrained weight agrees.
 */
export function fitSigned(
  features: string[],
  xs: readonly Features[],
  ys: readonly number[],
  signs: Record<string, 1 | -1>,
  options: FitOptions = {},
): Logistic {
  let kept = [...features];
  for (;;) {
    const m = fit(kept, xs, ys, options);
    const wrong = kept.filter((f, i) => signs[f] !== undefined && Math.sign(m.weights[i]!) === -signs[f]!);
    if (wrong.length === 0) return m;
    kept = kept.filter((f) => !wrong.includes(f));
  }
}
