import type { Article } from '../../schemas/index.ts';
import { properNames } from '../text/names.ts';
import { nlp, its } from '../text/nlp.ts';
import { withoutInvisible } from '../text/invisible.ts';
import { otherLanguage } from '../text/sentences.ts';
import { TUNING } from './tuning.ts';

export type Vector = Map<string, number>;

interface Term {
  normal: string;
  value: string;
  kind: string;
  stop: boolean;
}

function read(text: string): Term[] {
  const tokens = nlp.readDoc(withoutInvisible(text).clean).tokens();
  const normal = tokens.out(its.normal) as string[];
  const value = tokens.out(its.value) as string[];
  const kind = tokens.out(its.type) as string[];
  const stop = tokens.out(its.stopWordFlag) as unknown as boolean[];
  return normal.map((n, i) => ({ normal: n, value: value[i]!, kind: kind[i]!, stop: stop[i]! }));
}

/**
 * Content terms of an article: headline counted twice, since it names the incident most directly. An
 * article in another language (English stop words under `namesOnlyBelowStopShare` of its words) keeps
 * only its names (text/names.ts) and numbers: its own function words ("los", "que") would make it like
 * every article in its language and unlike the English reports of the same failure, while names carry
 * across languages.
 */
export function terms(article: Pick<Article, 'headline' | 'text'>): string[] {
  const head = read(article.headline),
    body = read(article.text);
  const names = otherLanguage(body, TUNING.method.namesOnlyBelowStopShare, TUNING.method.namesOnlyMinWords) ? properNames(article) : null;
  const kept = (ts: Term[]) =>
    ts
      .filter(
        (t) =>
          (t.kind === 'word' || t.kind === 'number') &&
          !t.stop &&
          t.normal.length > 2 &&
          (!names || t.kind === 'number' || names.has(t.value)),
      )
      .map((t) => t.normal);
  const h = kept(head);
  return [...h, ...h, ...kept(body)];
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
