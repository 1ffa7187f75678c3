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

const DOUBLE_QUOTE = /^["“”]$/;
const isQuote = (t: Token | undefined) => !!t && DOUBLE_QUOTE.test(t.norm);
/** Whether the double quotes among tokens [from, to) leave one open. */
const oddQuotes = (ts: readonly Token[], from: number, to: number) => ts.slice(from, to).filter(isQuote).length % 2 === 1;

/**
 * Whether the token before `end` is a closing quote that a quote opened inside [from, end) waits for:
 * trimming it would leave the clause's own quotation open ('…, "had simply failed').
 */
export const closesQuote = (ts: readonly Token[], from: number, end: number): boolean =>
  end > from && isQuote(ts[end - 1]) && oddQuotes(ts, from, end - 1);

/** Whether the token before `start` opens a quote that [start, end) closes ('"The system failed," he said'). */
export const opensQuote = (ts: readonly Token[], start: number, end: number): boolean =>
  start > 0 && isQuote(ts[start - 1]) && oddQuotes(ts, start, end);

/**
 * Whether token `i` is a verb's -ing form before the noun it modifies ("chief operating officer",
 * "managing director", "Microsoft's operating system"): part of a name, not an act.
 */
export const ingModifier = (ts: readonly Token[], i: number): boolean =>
  ts[i]!.pos === 'VERB' && /ing$/.test(ts[i]!.norm) && ['NOUN', 'PROPN'].includes(ts[i + 1]?.pos ?? '');

/** The span of a sentence between two article offsets. */
export const spanIn = (s: Sentence, start: number, end: number): Span => ({
  start,
  end,
  text: s.text.slice(start - s.start, end - s.start),
});

/** The span from the first to the last of some of a sentence's tokens. */
export const tokenSpan = (s: Sentence, tokens: readonly Token[]): Span => spanIn(s, tokens[0]!.start, tokens[tokens.length - 1]!.end);
