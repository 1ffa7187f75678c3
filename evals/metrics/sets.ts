import { fromConfusion, meanOf, type BinaryScores } from './prf.ts';

/** Set comparisons for multi-label answers. Option keys are compared as plain strings. */
export const asSet = (xs: readonly string[]) => new Set(xs);

export function exactSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = asSet(a),
    sb = asSet(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** |A ∩ B| / |A ∪ B|; two empty sets agree completely. */
export function jaccard(a: readonly string[], b: readonly string[]): number {
  const sa = asSet(a),
    sb = asSet(b);
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  const union = sa.size + sb.size - inter;
  return union === 0 ? 1 : inter / union;
}

export interface SetScores {
  n: number;
  exact: number | null;
  jaccard: number | null;
  /** Mean F1 over the options that occur in the gold or the answers. */
  macroF1: number | null;
  options: Record<string, BinaryScores>;
}

/** Exact-set match, Jaccard and per-option P/R/F1 over items; `universe` fixes the option rows shown. */
export function setScores(items: readonly { gold: readonly string[]; pred: readonly string[] }[], universe: readonly string[]): SetScores {
  const keys = [...new Set([...universe, ...items.flatMap((i) => [...i.gold, ...i.pred])])];
  const options: Record<string, BinaryScores> = {};
  for (const k of keys) {
    const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
    for (const i of items) {
      const g = i.gold.includes(k),
        p = i.pred.includes(k);
      if (g && p) c.tp++;
      else if (p) c.fp++;
      else if (g) c.fn++;
      else c.tn++;
    }
    options[k] = fromConfusion(c);
  }
  return {
    n: items.length,
    exact: meanOf(items.map((i) => (exactSet(i.gold, i.pred) ? 1 : 0))),
    jaccard: meanOf(items.map((i) => jaccard(i.gold, i.pred))),
    macroF1: meanOf(Object.values(options).map((o) => o.f1)),
    options,
  };
}
