import type { Article, Citation } from '../../schemas/index.ts';
import { placeQuote, verifyCitation } from './align.ts';

type WithCitations = { citations: Citation[] };

/**
 * Re-checks every citation against its article before it is stored, whatever the backend claimed:
 * a citation whose slice does not hold up is placed again, and stored as `unaligned` if it cannot be.
 * Nothing unverified is ever stored as verified.
 */
export function checkCitations(holders: WithCitations[] | Record<string, unknown>, articles: Article[]): { checked: number; unaligned: number } {
  const byId = new Map(articles.map((a) => [a.id, a.text]));
  const lists: WithCitations[] = Array.isArray(holders)
    ? holders
    : Object.values(holders).filter(Array.isArray).flat() as WithCitations[];
  let checked = 0, unaligned = 0;
  for (const h of lists) {
    h.citations = h.citations.map((c) => {
      checked++;
      const text = byId.get(c.articleId);
      if (text === undefined) { unaligned++; return { ...c, start: -1, end: -1, alignment: 'unaligned' }; }
      if (verifyCitation(c, text)) return c;
      const placed = placeQuote(c.quote, text);
      if (placed.alignment === 'unaligned') unaligned++;
      // Placement trims the quote; keeping it untrimmed would leave an `exact` slice unequal to its quote.
      return { ...c, quote: c.quote.trim(), ...placed };
    });
  }
  return { checked, unaligned };
}
