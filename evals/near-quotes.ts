/**
 * Near-quotes: a sentence of an article changed the way a careless or manipulated model changes what it
 * quotes. Each comes with what citation placement must make of it: a change of meaning (a negation added
 * or dropped, a number changed, a name swapped, the clauses turned round) must not be placed at all, and a
 * change that keeps the meaning (a word left out, two words swapped) is placed `fuzzy` over the article's
 * own words. Used by the citation tests and by the planted-instruction benchmark.
 */
export type NearKind =
  | 'negated'
  | 'negation-dropped'
  | 'number-changed'
  | 'entity-swapped'
  | 'word-dropped'
  | 'words-swapped'
  | 'reordered';

export interface NearQuote {
  kind: NearKind;
  /** The sentence it was made from, as the article has it. */
  source: string;
  quote: string;
  /** `fuzzy`: placed over `slice` (the article's text from the sentence's first word to its last). */
  expect: 'fuzzy' | 'unaligned';
  slice?: string;
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
const AUX = /\b(was|were|is|are|has|had|have|will|would|could|can|did|does|should)\b/;
const NEGATION = /\b(not|no|never)\s+/;
const NUMBER_WORDS = [
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'twelve',
  'hundred',
  'thousand',
  'million',
  'billion',
];
const PROTECTED = new Set([
  'not',
  'no',
  'never',
  'none',
  'nothing',
  'nobody',
  'without',
  'cannot',
  'one',
  'once',
  'twice',
  'half',
  'first',
  'second',
  'third',
  ...NUMBER_WORDS,
]);
const STAND_INS = ['Northwind', 'Eastbrook', 'Kestrel'];

interface Tok {
  w: string;
  start: number;
  end: number;
}
const tokens = (s: string): Tok[] => [...s.matchAll(WORD)].map((m) => ({ w: m[0], start: m.index!, end: m.index! + m[0].length }));
const critical = (w: string) => PROTECTED.has(w.toLowerCase()) || /n['’]t$/.test(w) || /\d/.test(w) || /^\p{Lu}/u.test(w);

/** The sentence from its first word to its last: what a fuzzy placement of a near-quote of it covers. */
export function wordSpan(sentence: string): string {
  const t = tokens(sentence);
  return t.length ? sentence.slice(t[0].start, t[t.length - 1].end) : '';
}

/** The interior word nearest the middle that carries no meaning placement must protect, if any. */
function plainWordNearMiddle(t: Tok[]): number {
  const mid = Math.floor(t.length / 2);
  for (let d = 0; d < t.length; d++)
    for (const i of [mid - d, mid + d]) {
      if (i > 1 && i < t.length - 2 && !critical(t[i].w) && t[i].w.length > 2) return i;
    }
  return -1;
}

const splice = (s: string, t: Tok, by: string) => s.slice(0, t.start) + by + s.slice(t.end);

/** Every near-quote that can be made of one sentence (a short sentence makes fewer). */
export function nearQuotes(sentence: string, article: string): NearQuote[] {
  const out: NearQuote[] = [];
  const t = tokens(sentence);
  const no = (kind: NearKind, quote: string) => out.push({ kind, source: sentence, quote, expect: 'unaligned' });
  const yes = (kind: NearKind, quote: string) => out.push({ kind, source: sentence, quote, expect: 'fuzzy', slice: wordSpan(sentence) });
  if (t.length < 6) return out;

  const neg = NEGATION.exec(sentence);
  if (neg) no('negation-dropped', sentence.slice(0, neg.index) + sentence.slice(neg.index + neg[0].length));
  else {
    const aux = AUX.exec(sentence);
    if (aux) no('negated', `${sentence.slice(0, aux.index + aux[0].length)} not${sentence.slice(aux.index + aux[0].length)}`);
  }

  const digits = /\d+/.exec(sentence);
  const word = t.find((x) => NUMBER_WORDS.includes(x.w.toLowerCase()));
  if (digits)
    no('number-changed', sentence.slice(0, digits.index) + String(Number(digits[0]) + 7) + sentence.slice(digits.index + digits[0].length));
  else if (word)
    no('number-changed', splice(sentence, word, NUMBER_WORDS[(NUMBER_WORDS.indexOf(word.w.toLowerCase()) + 3) % NUMBER_WORDS.length]));

  const name = t.slice(1).find((x) => /^\p{Lu}\p{Ll}/u.test(x.w));
  const standIn = STAND_INS.find((s) => !article.includes(s));
  if (name && standIn) no('entity-swapped', splice(sentence, name, standIn));

  if (t.length >= 8) {
    const i = plainWordNearMiddle(t);
    if (i > 0) yes('word-dropped', sentence.slice(0, t[i].start) + sentence.slice(t[i + 1].start));
    const half = Math.floor(t.length / 2);
    no('reordered', `${sentence.slice(t[half].start, t[t.length - 1].end)} ${sentence.slice(t[0].start, t[half - 1].end)}`);
  }
  if (t.length >= 10) {
    const i = plainWordNearMiddle(t);
    const j = i + 1;
    if (i > 0 && j < t.length - 2 && !critical(t[j].w)) {
      yes(
        'words-swapped',
        sentence.slice(0, t[i].start) + t[j].w + sentence.slice(t[i].end, t[j].start) + t[i].w + sentence.slice(t[j].end),
      );
    }
  }
  return out;
}
