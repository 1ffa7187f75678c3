/**
 * Paired bootstrap over shared units (articles, gold clusters or incidents): each resample draws the
 * same unit ids for both runs, so the interval reflects the difference between the runs rather than
 * the spread of the gold set. A seeded generator makes the output reproducible.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DeltaInterval {
  a: number | null;
  b: number | null;
  delta: number | null;
  lo: number | null;
  hi: number | null;
  units: number;
  resamples: number;
}

/** Percentile of sorted values, linear interpolation between ranks. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const x = (sorted.length - 1) * p;
  const i = Math.floor(x),
    f = x - i;
  return i + 1 < sorted.length ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

export function pairedBootstrap<U>(
  unitsA: readonly U[],
  unitsB: readonly U[],
  stat: (units: readonly U[]) => number | null,
  opts: { resamples?: number; seed?: number; level?: number } = {},
): DeltaInterval {
  if (unitsA.length !== unitsB.length) throw new Error('paired bootstrap needs the same units in both runs');
  const resamples = opts.resamples ?? 1000,
    level = opts.level ?? 0.95;
  const a = stat(unitsA),
    b = stat(unitsB);
  const delta = a === null || b === null ? null : b - a;
  const n = unitsA.length;
  if (delta === null || n === 0) return { a, b, delta, lo: null, hi: null, units: n, resamples: 0 };
  const rand = mulberry32(opts.seed ?? 20240607);
  const deltas: number[] = [];
  const pickA: U[] = new Array(n),
    pickB: U[] = new Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const j = Math.floor(rand() * n);
      pickA[i] = unitsA[j];
      pickB[i] = unitsB[j];
    }
    const sa = stat(pickA),
      sb = stat(pickB);
    if (sa !== null && sb !== null) deltas.push(sb - sa);
  }
  deltas.sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  return {
    a,
    b,
    delta,
    lo: deltas.length ? percentile(deltas, tail) : null,
    hi: deltas.length ? percentile(deltas, 1 - tail) : null,
    units: n,
    resamples: deltas.length,
  };
}
