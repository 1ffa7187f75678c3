import { nlp, its } from './nlp.ts';

export interface Token {
  /** Lower-cased form, as used for matching. */
  norm: string;
  start: number;
  end: number;
  kind: string;
  stop: boolean;
  negated: boolean;
  /** Universal POS tag (PROPN, NOUN, VERB, …). */
  pos: string;
}

export interface Sentence {
  index: number;
  start: number;
  end: number;
  text: string;
  tokens: Token[];
}

/**
 * Splits text into sentences with character offsets into the original string. wink-nlp gives tokens,
 * not offsets, so each token is located in the text from a moving cursor; tokens are always substrings,
 * and a token that cannot be found (it never should) is skipped rather than guessed.
 */
export function splitSentences(text: string): Sentence[] {
  const doc = nlp.readDoc(text);
  const words = doc.tokens().out() as string[];
  const kinds = doc.tokens().out(its.type) as string[];
  const stops = doc.tokens().out(its.stopWordFlag) as unknown as boolean[];
  const negs = doc.tokens().out(its.negationFlag) as unknown as boolean[];
  const tags = doc.tokens().out(its.pos) as string[];
  const tokens: (Token | null)[] = [];
  let cursor = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const at = text.indexOf(w, cursor);
    if (at < 0 || at - cursor > 200) {
      tokens.push(null);
      continue;
    }
    cursor = at + w.length;
    tokens.push({
      norm: w.toLowerCase(),
      start: at,
      end: cursor,
      kind: kinds[i],
      stop: !!stops[i],
      negated: !!negs[i],
      pos: tags[i] ?? 'X',
    });
  }
  const out: Sentence[] = [];
  doc.sentences().each((s: { out(f: unknown): unknown }) => {
    const [a, b] = s.out(its.span) as unknown as [number, number];
    const toks = tokens.slice(a, b + 1).filter((t): t is Token => !!t && t.kind !== 'tabCRLF');
    if (toks.length === 0) return;
    const start = toks[0].start,
      end = toks[toks.length - 1].end;
    out.push({ index: out.length, start, end, text: text.slice(start, end), tokens: toks });
  });
  return out;
}

/** Content words of a text: lower-cased, no stop words, no punctuation or numbers-only tokens. */
export function contentWords(tokens: readonly Token[]): string[] {
  return tokens.filter((t) => t.kind === 'word' && !t.stop && t.norm.length > 1).map((t) => t.norm);
}
