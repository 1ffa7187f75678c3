import type { Article } from '../../schemas/index.ts';
import { nlp, its } from '../text/nlp.ts';

/**
 * A sparse vector over term ids, ids ascending. Typed arrays rather than a Map per article: a corpus of
 * 20k articles holds millions of weights, and Map entries cost ten times as much memory.
 */
export interface Vector {
  ids: Int32Array;
  weights: Float64Array;
}

/** Content terms of an article: headline counted twice, since it names the incident most directly. */
export function terms(article: Pick<Article, 'headline' | 'text'>): string[] {
  const read = (s: string) => {
    const doc = nlp.readDoc(s);
    const words = doc.tokens().out(its.normal) as string[];
    const types = doc.tokens().out(its.type) as string[];
    const stops = doc.tokens().out(its.stopWordFlag) as unknown as boolean[];
    return words.filter((w, i) => (types[i] === 'word' || types[i] === 'number') && !stops[i] && w.length > 2);
  };
  const head = read(article.headline);
  return [...head, ...head, ...read(article.text)];
}

/** An article's distinct terms (ids ascending) and how often each occurs. */
export interface TermCounts {
  ids: Int32Array;
  counts: Uint32Array;
}

/** Document frequencies, updated as articles arrive, so vectors can be built incrementally. */
export class Corpus {
  private termIds = new Map<string, number>();
  private df: number[] = [];
  size = 0;

  /** Counts the article's terms into the document frequencies; returns them as ids for `vector`. */
  add(termList: readonly string[]): TermCounts {
    this.size++;
    const tf = new Map<number, number>();
    for (const t of termList) {
      let id = this.termIds.get(t);
      if (id === undefined) { id = this.df.length; this.termIds.set(t, id); this.df.push(0); }
      tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    const ids = Int32Array.from(tf.keys()).sort();
    const counts = Uint32Array.from(ids, (id) => tf.get(id)!);
    for (const id of ids) this.df[id]++;
    return { ids, counts };
  }

  private idf(id: number): number {
    return Math.log((1 + this.size) / (1 + (this.df[id] ?? 0))) + 1;
  }

  docFreq(term: string): number {
    const id = this.termIds.get(term);
    return id === undefined ? 0 : this.df[id];
  }

  /** Sublinear tf × idf, L2-normalised, with the document frequencies as they are now. */
  vector(tc: TermCounts): Vector {
    const weights = new Float64Array(tc.ids.length);
    let norm = 0;
    for (let i = 0; i < tc.ids.length; i++) {
      const w = (1 + Math.log(tc.counts[i])) * this.idf(tc.ids[i]);
      weights[i] = w;
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < weights.length; i++) weights[i] /= norm;
    return { ids: tc.ids, weights };
  }
}

export function cosine(a: Vector, b: Vector): number {
  let dot = 0;
  for (let i = 0, j = 0; i < a.ids.length && j < b.ids.length;) {
    const x = a.ids[i], y = b.ids[j];
    if (x === y) dot += a.weights[i++] * b.weights[j++];
    else if (x < y) i++;
    else j++;
  }
  return dot;
}
