import type { Article } from '../../schemas/index.ts';
import { MONTHS, WEEKDAYS } from './dates.ts';

/**
 * Proper names of an article: capitalised words inside a sentence (companies, products, places,
 * people). Two reports of one failure name the same organisation and system even when a year and an
 * inquiry separate them; two similar failures at different organisations do not.
 */
const NOT_NAMES = new Set([
  ...WEEKDAYS,
  ...MONTHS,
  'The',
  'A',
  'An',
  'In',
  'On',
  'It',
  'He',
  'She',
  'They',
  'We',
  'But',
  'And',
  'At',
  'For',
  'Mr',
  'Ms',
  'Mrs',
  'Dr',
]);

/** Capitalised words of three or more letters that do not open a sentence or a line. */
export const capitalisedWords = (text: string): string[] => [...text.matchAll(/(?<![.!?]\s|^|\n)\b[A-Z][A-Za-z]{2,}/g)].map((m) => m[0]);

export function properNames(article: Pick<Article, 'headline' | 'text'>): Set<string> {
  return new Set(capitalisedWords(`${article.headline}. ${article.text}`).filter((w) => !NOT_NAMES.has(w)));
}

/** Share of the smaller name set found in the other. */
export function nameOverlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / Math.max(1, Math.min(a.size, b.size));
}
