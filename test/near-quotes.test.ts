import { describe, expect, it } from 'vitest';
import { cite, verifyCitation } from '../pipeline/citations/align.ts';
import { splitSentences } from '../pipeline/text/sentences.ts';
import { type NearKind, nearQuotes } from '../evals/near-quotes.ts';
import { allFixtures } from './fixtures.ts';

/** Near-quotes of every sentence of the test articles, each with the article it must be placed in. */
const cases = allFixtures().flatMap((a) =>
  splitSentences(a.text).flatMap((s) => nearQuotes(s.text, a.text).map((n) => ({ ...n, article: a }))),
);

describe('near-quotes (generated)', () => {
  it('covers every kind of change, at least 50 in all', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    const kinds = new Map<NearKind, number>();
    for (const c of cases) kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
    for (const k of [
      'negated',
      'negation-dropped',
      'number-changed',
      'entity-swapped',
      'word-dropped',
      'words-swapped',
      'reordered',
    ] as const) {
      expect(kinds.get(k) ?? 0, k).toBeGreaterThanOrEqual(3);
    }
  });

  it.each(cases.map((c) => [c.kind, c.quote, c] as const))('%s: "%s"', (_kind, _quote, c) => {
    const got = cite(c.article.id, c.quote, c.article.text);
    expect(got.alignment).toBe(c.expect);
    if (c.expect === 'unaligned') {
      expect(got).toMatchObject({ start: -1, end: -1 });
      expect(verifyCitation(got, c.article.text)).toBe(false);
    } else {
      // Shown as fuzzy, with the article's own words, never the near-quote's.
      expect(got.quote).toBe(c.slice);
      expect(c.article.text.slice(got.start, got.end)).toBe(c.slice);
      expect(verifyCitation(got, c.article.text)).toBe(true);
    }
  });
});
