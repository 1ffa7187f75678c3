import type { Vector } from './tfidf.ts';

/**
 * Inverted index over each article's most distinctive terms. A new article is compared only with the
 * articles that share one of its top terms, so grouping cost grows about linearly with the corpus
 * instead of comparing every pair.
 */
export class CandidateIndex {
  private postings = new Map<string, string[]>();

  constructor(private readonly topK = 12, private readonly maxPosting = 400) {}

  static topTerms(v: Vector, k: number): string[] {
    return [...v.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, k).map(([t]) => t);
  }

  add(id: string, v: Vector): void {
    for (const t of CandidateIndex.topTerms(v, this.topK)) {
      const list = this.postings.get(t);
      if (!list) this.postings.set(t, [id]);
      // Very common terms stop being useful for finding candidates; cap them rather than scan them.
      else if (list.length < this.maxPosting) list.push(id);
    }
  }

  /** Ids sharing at least `minShared` top terms with the vector, most shared first. */
  candidates(v: Vector, minShared = 1): string[] {
    const shared = new Map<string, number>();
    for (const t of CandidateIndex.topTerms(v, this.topK)) {
      for (const id of this.postings.get(t) ?? []) shared.set(id, (shared.get(id) ?? 0) + 1);
    }
    return [...shared.entries()].filter(([, n]) => n >= minShared).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([id]) => id);
  }
}
