import type { Article } from '../../schemas/index.ts';
import { nlp, its } from '../text/nlp.ts';

export type Vector = Map<string, number>;

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

/** Document frequencies, updated as articles arrive, so vectors can be built incrementally. */
export class Corpus {
  private df = new Map<string, number>();
  size = 0;

  add(termList: readonly string[]): void {
    this.size++;
    for (const t of new Set(termList)) this.df.set(t, (this.df.get(t) ?? 0) + 1);
  }

  idf(term: string): number {
    return Math.log((1 + this.size) / (1 + (this.df.get(term) ?? 0))) + 1;
  }

  docFreq(term: string): number {
    return this.df.get(term) ?? 0;
  }

  /** Sublinear tf × idf, L2-normalised. */
  vector(termList: readonly string[]): Vector {
    const tf = new Map<string, number>();
    for (const t of termList) tf.set(t, (tf.get(t) ?? 0) + 1);
    return this.weigh(tf);
  }

  /** `vector` of a document given by its term counts. */
  weigh(tf: ReadonlyMap<string, number>): Vector {
    const v: Vector = new Map();
    let norm = 0;
    for (const [t, n] of tf) {
      const w = (1 + Math.log(n)) * this.idf(t);
      v.set(t, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [t, w] of v) v.set(t, w / norm);
    return v;
  }
}

export function cosine(a: Vector, b: Vector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [t, w] of small) {
    const o = large.get(t);
    if (o !== undefined) dot += w * o;
  }
  return dot;
}
