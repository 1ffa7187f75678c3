import type { Article } from '../../schemas/index.ts';
import { contentHash } from '../text/hash.ts';
import { toIsoDate } from '../text/dates.ts';

export interface RawArticle {
  id: string;
  url?: string | null;
  headline?: string | null;
  source?: string | null;
  published?: string | null;
  text: string;
  origin: string;
}

/** An article as an input file gave it. */
export interface FileArticle extends RawArticle {
  /** False when the id was made from the file name (or file and text), so another may be chosen on a clash. */
  idGiven: boolean;
  /** The file it was read from: an article read again from the same file is the same source. */
  file: string;
}

/** Builds a stored article from whatever a reader found; gold and reference fields are never carried over. */
export function toArticle(raw: RawArticle): Article {
  const text = raw.text.replace(/\r\n?/g, '\n').trim();
  return {
    id: raw.id,
    url: raw.url ?? null,
    headline: (raw.headline ?? '').trim() || text.split('\n')[0].slice(0, 120),
    source: raw.source ?? null,
    published: toIsoDate(raw.published),
    text,
    contentHash: contentHash(text),
    origin: raw.origin,
    duplicateOf: null,
  };
}

/** A file-name-derived id: lower-case letters, digits and dashes. */
export const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/\.[a-z0-9]+$/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'article';
