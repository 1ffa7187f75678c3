import type { Article, Citation } from '../../schemas/index.ts';
import { cite, verifyCitation } from './align.ts';

type WithCitations = { citations: Citation[] };

/**
 * Re-checks every citation against its article before it is stored, whatever the backend claimed:
 * a citation whose quote is not the article's text at its span is placed again (and then carries the
 * article's text), or stored as `unaligned` if it cannot be. Nothing unverified is ever stored as verified.
 */
export function checkCitations(
  holders: WithCitations[] | Record<string, unknown>,
  articles: Article[],
): { checked: number; unaligned: number } {
  const byId = new Map(articles.map((a) => [a.id, a.text]));
  const lists: WithCitations[] = Array.isArray(holders)
    ? holders
    : (Object.values(holders).filter(Array.isArray).flat() as WithCitations[]);
  let checked = 0,
    unaligned = 0;
  for (const h of lists) {
    h.citations = h.citations.map((c) => {
      checked++;
      const text = byId.get(c.articleId);
      if (text === undefined) {
        unaligned++;
        return { ...c, start: -1, end: -1, alignment: 'unaligned' };
      }
      if (verifyCitation(c, text)) return c;
      const placed = cite(c.articleId, c.quote, text);
      if (placed.alignment === 'unaligned') unaligned++;
      return placed;
    });
  }
  return { checked, unaligned };
}
