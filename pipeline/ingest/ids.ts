import type { Article } from '../../schemas/index.ts';
import { hashOf } from '../text/hash.ts';
import type { FileArticle } from './article.ts';

export interface Holder {
  origin: string;
  contentHash: string;
}

export type IdDecision = { article: Article; renamedFrom?: { id: string; takenBy: string } } | { conflict: string };

/** The file a stored origin names: `file:line` for a JSON Lines record, `file[i]` for one of a .json array. */
const fileOf = (origin: string) => origin.replace(/(?::\d+|\[\d+\])$/, '');

/**
 * Gives each article read from a file an id no other source holds. An id already stored (or given earlier
 * in this ingest) for different text from another file is never taken over: a name made from the file
 * gets the file's own suffix, and an id the input gave is refused, naming both sources. The same file
 * read again with new text is an update; the same text under the same id is the same article.
 */
export class IdAssigner {
  private seen = new Map<string, Holder>();

  constructor(private stored: (id: string) => Holder | undefined) {}

  assign(raw: FileArticle, article: Article): IdDecision {
    const first = this.check(article.id, raw, article);
    if (first === 'free') return this.take(article);
    if (raw.idGiven)
      return { conflict: `id "${article.id}" is already used by ${first.origin} for a different article; give one of them another id` };
    const own = `${article.id}-${hashOf(['article-source', raw.origin]).slice(0, 6)}`;
    const second = this.check(own, raw, article);
    if (second !== 'free') return { conflict: `ids "${article.id}" and "${own}" are used by ${first.origin} and ${second.origin}` };
    return { ...this.take({ ...article, id: own }), renamedFrom: { id: article.id, takenBy: first.origin } };
  }

  /** Free to use: unused, the same text, or this source's own earlier version; otherwise who holds it. */
  private check(id: string, raw: FileArticle, article: Article): 'free' | Holder {
    const now = this.seen.get(id);
    if (now) return now.contentHash === article.contentHash ? 'free' : now;
    const held = this.stored(id);
    if (!held || held.contentHash === article.contentHash || fileOf(held.origin) === raw.file) return 'free';
    return held;
  }

  private take(article: Article): { article: Article } {
    this.seen.set(article.id, { origin: article.origin, contentHash: article.contentHash });
    return { article };
  }
}
