import { nlp, its } from './nlp.ts';
import { withoutInvisible } from './invisible.ts';

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
  const { clean, origin } = withoutInvisible(text);
  const doc = nlp.readDoc(clean);
  const words = doc.tokens().out() as string[];
  const kinds = doc.tokens().out(its.type) as string[];
  const stops = doc.tokens().out(its.stopWordFlag) as unknown as boolean[];
  const negs = doc.tokens().out(its.negationFlag) as unknown as boolean[];
  const tags = doc.tokens().out(its.pos) as string[];
  const tokens: (Token | null)[] = [];
  let cursor = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const at = clean.indexOf(w, cursor);
    if (at < 0 || at - cursor > 200) {
      tokens.push(null);
      continue;
    }
    cursor = at + w.length;
    tokens.push({
      norm: w.toLowerCase(),
      start: origin(at),
      end: origin(cursor - 1) + 1,
      kind: kinds[i],
      stop: !!stops[i],
      negated: !!negs[i],
      pos: tags[i] ?? 'X',
    });
  }
  properNameRuns(tokens, text);
  const out: Sentence[] = [];
  const wrapped = hardWrapped(text);
  doc.sentences().each((s: { out(f: unknown): unknown }) => {
    const [a, b] = s.out(its.span) as unknown as [number, number];
    const toks = tokens.slice(a, b + 1).filter((t): t is Token => !!t && t.kind !== 'tabCRLF');
    for (const whole of atLineEnds(toks, text, wrapped).flatMap(splitAtUnits)) {
      const undated = withoutDateline(whole, text);
      const part = out.length < BYLINE_SENTENCES ? withoutByline(undated, text) : undated;
      if (part.length === 0) continue;
      const start = part[0]!.start,
        end = part[part.length - 1]!.end;
      out.push({ index: out.length, start, end, text: text.slice(start, end), tokens: part });
    }
  });
  return out;
}

/**
 * The tagger reads some surnames as verbs or common nouns ("said Professor Elaine Burke, who…" tags
 * "Burke" a verb), which cut the name short. A capitalised word straight after a proper noun, inside a
 * sentence, continues the name.
 */
function properNameRuns(tokens: readonly (Token | null)[], text: string): void {
  for (let i = 1; i < tokens.length; i++) {
    const prev = tokens[i - 1],
      t = tokens[i];
    if (!prev || !t || prev.pos !== 'PROPN' || !/^(?:VERB|NOUN|ADJ)$/.test(t.pos)) continue;
    if (/^[A-Z][a-z]/.test(text.slice(t.start, t.end)) && /^ $/.test(text.slice(prev.end, t.start))) t.pos = 'PROPN';
  }
}

/**
 * A wire story's dateline ("GREENSBURG, Pa. (AP) —", "WASHINGTON/SEATTLE (Reuters) -", "NEW YORK,
 * March 13 (Reuters) -", "SEATTLE (AP) _") says where it was filed, not what happened: left in, it becomes
 * the first sentence's subject and a name ("system: WASHINGTON/SEATTLE (Reuters)"). The place is in
 * capitals, then perhaps a state and a date, the agency in brackets, and a dash ends it.
 */
const DATELINE =
  /^[A-Z][A-Z.'/&-]*(?:\s+[A-Z][A-Z.'/&-]*)*(?:,\s*[A-Z][A-Za-z.]*(?:\s+[A-Z0-9][A-Za-z0-9.]*)*)?\s*\([A-Z][A-Za-z. ]{1,29}\)\s*(?:[-–—]+|_)/;

function withoutDateline(toks: Token[], text: string): Token[] {
  const first = toks[0];
  if (!first) return toks;
  const m = DATELINE.exec(text.slice(first.start, toks.at(-1)!.end));
  if (!m) return toks;
  const end = first.start + m[0].length;
  return toks.filter((t) => t.start >= end);
}

/** A byline is among an article's first sentences (after a "Published on" line, say), or it is no byline. */
const BYLINE_SENTENCES = 3;
const capitalised = (t: Token | undefined, text: string) => !!t && t.kind === 'word' && /^\p{Lu}/u.test(text.slice(t.start, t.end));

/**
 * A byline that a scraped page runs into the first sentence ("By Mark Brown , Wired UK Presenting at the
 * 27th Chaos Communication Conference, members of…") is no part of it: left in, "Wired UK Presenting"
 * becomes a name. "By", a name of two or three capitalised words, perhaps a comma and the outlet's
 * capitalised words, and then a capitalised word that starts the sentence; the outlet ends before a
 * word in -ing ("Presenting"), which opens the sentence. "By Monday, the bank…" has no such name.
 */
function withoutByline(toks: Token[], text: string): Token[] {
  if (toks[0]?.norm !== 'by') return toks;
  let i = 1;
  while (i < 4 && capitalised(toks[i], text) && toks[i]!.pos === 'PROPN') i++;
  if (i < 3) return toks;
  // A name of three words only when a comma follows it: "By Sharon Gaudin Corporate users…" names two.
  if (i === 4 && toks[i]?.norm !== ',') i = 3;
  if (toks[i]?.norm === ',') {
    i++;
    while (capitalised(toks[i], text) && !/ing$/.test(toks[i]!.norm)) i++;
  }
  const rest = toks.slice(i);
  return capitalised(rest[0], text) && rest.filter((t) => t.kind === 'word').length >= 4 ? rest : toks;
}

/** A line that ends a sentence: closing punctuation, a quote or a bracket. */
const CLOSED = /[.!?:;"”’')\]]$/;

/**
 * Text wrapped at a fixed width (an e-mail, a plain-text wire) goes on mid-sentence on the next line:
 * several lines that end open and continue in lower case. Only there may a sentence cross a line break.
 */
function hardWrapped(text: string): boolean {
  const lines = text.split('\n');
  let continued = 0;
  for (let i = 1; i < lines.length; i++) if (/^\s*[a-z]/.test(lines[i]!) && !CLOSED.test(lines[i - 1]!.trimEnd())) continued++;
  return continued >= 3;
}

/**
 * wink-nlp runs a line with no closing punctuation into the next one: a headline, a kicker ("fv"), a
 * subheading ("Manual system"), a byline ("Dan Tebbutt reports") or a copyright line becomes the start
 * of the first sentence after it, and of the facts quoted from it. A sentence ends at a blank line, and
 * at a line break after an open line when the next begins a sentence (a capital or a digit), unless the
 * text is hard-wrapped.
 */
function atLineEnds(toks: Token[], text: string, wrapped: boolean): Token[][] {
  const parts: Token[][] = [];
  let from = 0;
  for (let i = 1; i < toks.length; i++) {
    const gap = text.slice(toks[i - 1]!.end, toks[i]!.start);
    if (!gap.includes('\n')) continue;
    const paragraph = /\n[^\S\n]*\n/.test(gap);
    const heading =
      !wrapped && !CLOSED.test(text.slice(toks[i - 1]!.start, toks[i - 1]!.end)) && /^[\p{Lu}\d]/u.test(text.slice(toks[i]!.start));
    if (!paragraph && !heading) continue;
    parts.push(toks.slice(from, i));
    from = i;
  }
  parts.push(toks.slice(from));
  return parts;
}

/**
 * wink-nlp reads a one-letter unit after a number and a full stop ("at 10C. That fallback…") as an
 * initial, and runs the two sentences together. Initials follow or open names, never numbers: there the
 * letter is a unit and the stop ends the sentence.
 */
function splitAtUnits(toks: Token[]): Token[][] {
  const parts: Token[][] = [];
  let from = 0;
  for (let i = 1; i < toks.length; i++) {
    const t = toks[i]!;
    if (!/^[a-z]\.$/.test(t.norm) || toks[i - 1]!.kind !== 'number' || toks[i - 1]!.end !== t.start) continue;
    const unit: Token = { ...t, norm: t.norm.slice(0, 1), end: t.end - 1, pos: 'NOUN' };
    const stop: Token = { ...t, norm: '.', start: t.end - 1, kind: 'punctuation', stop: false, pos: 'PUNCT' };
    parts.push([...toks.slice(from, i), unit, stop]);
    from = i + 1;
  }
  parts.push(toks.slice(from));
  return parts;
}

type Worded = Pick<Token, 'kind' | 'stop'>;

/** Share of the words that are English stop words: a passage in another language has few. */
export function stopShare(tokens: readonly Worded[]): number {
  const words = tokens.filter((t) => t.kind === 'word');
  return words.filter((t) => t.stop).length / Math.max(1, words.length);
}

/**
 * At least `minWords` words, but fewer English stop words among them than `minShare`: another language.
 * Fewer words tell nothing of the language ("hello", a headline alone), so such a text counts as English.
 */
export const otherLanguage = (tokens: readonly Worded[], minShare: number, minWords: number): boolean =>
  tokens.filter((t) => t.kind === 'word').length >= minWords && stopShare(tokens) < minShare;

/** Content words of a text: lower-cased, no stop words, no punctuation or numbers-only tokens. */
export function contentWords(tokens: readonly Token[]): string[] {
  return tokens.filter((t) => t.kind === 'word' && !t.stop && t.norm.length > 1).map((t) => t.norm);
}
