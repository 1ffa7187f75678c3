import type { Sentence, Token } from '../../text/sentences.ts';

/**
 * A stretch of an article: `text` is `article.text.slice(start, end)`, so a citation of it aligns
 * exactly. Facts quote spans of their sentences: a name, or the clause that states the fact.
 */
export interface Span {
  start: number;
  end: number;
  text: string;
}

/** The span of a sentence between two article offsets. */
export const spanIn = (s: Sentence, start: number, end: number): Span => ({
  start,
  end,
  text: s.text.slice(start - s.start, end - s.start),
});

/** The span from the first to the last of some of a sentence's tokens. */
export const tokenSpan = (s: Sentence, tokens: readonly Token[]): Span => spanIn(s, tokens[0]!.start, tokens[tokens.length - 1]!.end);
