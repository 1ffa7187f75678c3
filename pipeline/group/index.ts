import type { SparseVector } from './sparse.ts';

/**
 * Inverted index over each article's most distinctive terms. A new article is compared only with the
 * articles that share one of its top terms, so grouping cost grows about linearly with the corpus
 * instead of comparing every pair. Articles are numbers here (the grouper's own), terms their ids.
 */
export class CandidateIndex {
  private postings = new Map<number, number[]>();

  constructor(
    private readonly topK = 12,
    private readonly maxPosting = 400,
  ) {}

  /** The vector's `k` heaviest term ids; ties go to the lower id, so the choice is stable. */
  static topTerms(v: SparseVector, k: number): number[] {
    const order = Array.from(v.ids.keys()).sort((a, b) => v.weights[b] - v.weights[a] || v.ids[a] - v.ids[b]);
    return order.slice(0, k).map((i) => v.ids[i]);
  }

  add(article: number, v: SparseVector): void {
    for (const t of CandidateIndex.topTerms(v, this.topK)) {
      const list = this.postings.get(t);
      if (!list) this.postings.set(t, [article]);
      // Very common terms stop being useful for finding candidates; cap them rather than scan them.
      else if (list.length < this.maxPosting) list.push(article);
    }
  }

  /**
   * Up to `limit` articles sharing at least one top term with the vector, most shared first, then in the
   * order added. Counts are at most topK, so the best are picked by count without sorting every article
   * found (thousands, once the postings of common terms are full).
   */
  candidates(v: SparseVector, limit = Infinity): number[] {
    const shared = new Map<number, number>();
    for (const t of CandidateIndex.topTerms(v, this.topK)) {
      for (const a of this.postings.get(t) ?? []) shared.set(a, (shared.get(a) ?? 0) + 1);
    }
    const byCount: number[][] = Array.from({ length: this.topK + 1 }, () => []);
    for (const [a, n] of shared) byCount[n].push(a);
    const out: number[] = [];
    for (let n = this.topK; n > 0 && out.length < limit; n--) out.push(...byCount[n].sort((x, y) => x - y).slice(0, limit - out.length));
    return out;
  }
}
