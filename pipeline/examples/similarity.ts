import { Corpus, type Vector } from '../group/tfidf.ts';

/** How many shared terms say why an example was chosen. */
const SHARED_SHOWN = 4;

export interface Ranked {
  id: string;
  similarity: number;
  /** The terms that weigh most in the similarity, heaviest first. */
  shared: string[];
}

/**
 * Cosine of two unit vectors, and the terms that make up most of it. Terms in more than half the
 * documents ("said", "system") add a little to the similarity but say nothing about why.
 */
function overlap(q: Vector, d: Vector, distinctive: (term: string) => boolean): { similarity: number; shared: string[] } {
  const parts: [string, number][] = [];
  let dot = 0;
  for (const [t, w] of q) {
    const o = d.get(t);
    if (o === undefined) continue;
    dot += w * o;
    if (distinctive(t)) parts.push([t, w * o]);
  }
  parts.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  // Rounded so that float noise (term order, a platform's libm) can never reorder equal documents.
  return { similarity: Math.round(dot * 1e9) / 1e9, shared: parts.slice(0, SHARED_SHOWN).map(([t]) => t) };
}

/**
 * TF-IDF over a fixed set of documents, with their own document frequencies: a query is weighed by
 * the terms that tell these documents apart, and a term none of them has cannot change the ranking.
 */
export class SimilarityIndex {
  private readonly corpus = new Corpus();
  private readonly docs: { id: string; v: Vector }[];

  constructor(docs: readonly { id: string; terms: readonly string[] }[]) {
    for (const d of docs) this.corpus.add(d.terms);
    this.docs = docs.map((d) => ({ id: d.id, v: this.corpus.vector(d.terms) }));
  }

  /** Most similar first; equal similarities by id, so the order never depends on how the documents were read. */
  rank(terms: readonly string[], keep: (id: string) => boolean): Ranked[] {
    const q = this.corpus.vector(terms);
    const distinctive = (t: string) => this.corpus.docFreq(t) <= Math.max(1, this.corpus.size / 2);
    return this.docs
      .filter((d) => keep(d.id))
      .map((d) => ({ id: d.id, ...overlap(q, d.v, distinctive) }))
      .sort((a, b) => b.similarity - a.similarity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
