/**
 * The majority-label baseline, computed leave-one-out: each item gets the answer most frequent among
 * the *other* items' gold answers, so the baseline never sees the gold it is scored against. Ties go
 * to the answer whose key sorts first, so the baseline is deterministic.
 */
export function majorityLeaveOneOut<T>(golds: readonly T[], key: (v: T) => string): T[] {
  const counts = new Map<string, { n: number; value: T }>();
  for (const g of golds) {
    const k = key(g);
    const c = counts.get(k);
    if (c) c.n++;
    else counts.set(k, { n: 1, value: g });
  }
  return golds.map((g) => {
    const own = key(g);
    let best: { k: string; n: number; value: T } | null = null;
    for (const [k, c] of counts) {
      const n = k === own ? c.n - 1 : c.n;
      if (n <= 0) continue;
      if (!best || n > best.n || (n === best.n && k < best.k)) best = { k, n, value: c.value };
    }
    // A single item has no others to learn from: the baseline then has no answer to give but its own kind.
    return best ? best.value : g;
  });
}

export const setKey = (xs: readonly string[]) => JSON.stringify([...new Set(xs)].sort());
