import { Corpus } from './tfidf.ts';

/**
 * TF-IDF vectors for grouping a whole corpus: terms are numbers and a vector is two typed arrays, ids
 * ascending. A Map per article held most of a 20k-article run's memory; typed arrays take a tenth of it.
 * Weights are `Corpus`'s own.
 */
export interface SparseVector {
  ids: Int32Array;
  weights: Float64Array;
}

/** An article's distinct terms (ids ascending) and how often each occurs. */
export interface TermCounts {
  ids: Int32Array;
  counts: Uint32Array;
}

export class SparseCorpus {
  private corpus = new Corpus();
  private termIds = new Map<string, number>();
  private termOf: string[] = [];

  get size(): number {
    return this.corpus.size;
  }

  /** Counts the article's terms into the document frequencies; returns them as ids for `vector`. */
  add(termList: readonly string[]): TermCounts {
    this.corpus.add(termList);
    const tf = new Map<number, number>();
    for (const t of termList) {
      let id = this.termIds.get(t);
      if (id === undefined) {
        id = this.termOf.length;
        this.termIds.set(t, id);
        this.termOf.push(t);
      }
      tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    const ids = Int32Array.from(tf.keys()).sort();
    return { ids, counts: Uint32Array.from(ids, (id) => tf.get(id)!) };
  }

  /** The document's vector with the document frequencies as they are now. */
  vector(tc: TermCounts): SparseVector {
    const v = this.corpus.weigh(new Map(Array.from(tc.ids, (id, i) => [this.termOf[id], tc.counts[i]])));
    return { ids: tc.ids, weights: Float64Array.from(tc.ids, (id) => v.get(this.termOf[id])!) };
  }
}

export function sparseCosine(a: SparseVector, b: SparseVector): number {
  let dot = 0;
  for (let i = 0, j = 0; i < a.ids.length && j < b.ids.length; ) {
    const x = a.ids[i],
      y = b.ids[j];
    if (x === y) dot += a.weights[i++] * b.weights[j++];
    else if (x < y) i++;
    else j++;
  }
  return dot;
}
