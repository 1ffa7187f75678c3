import type { Article } from '../../schemas/index.ts';

/**
 * Proper names of an article: capitalised words inside a sentence (companies, products, places,
 * people). Two reports of one failure name the same organisation and system even when a year and an
 * inquiry separate them; two similar failures at different organisations do not.
 */
const NOT_NAMES = new Set(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday', 'January', 'February', 'March',
  'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December', 'The', 'A', 'An', 'In', 'On', 'It', 'He', 'She',
  'They', 'We', 'But', 'And', 'At', 'For', 'Mr', 'Ms', 'Mrs', 'Dr']);

export function properNames(article: Pick<Article, 'headline' | 'text'>): Set<string> {
  const text = `${article.headline}. ${article.text}`;
  return new Set([...text.matchAll(/(?<![.!?]\s|^|\n)\b[A-Z][A-Za-z]{2,}/g)].map((m) => m[0]).filter((w) => !NOT_NAMES.has(w)));
}

/** Share of the smaller name set found in the other. */
export function nameOverlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / Math.max(1, Math.min(a.size, b.size));
}
