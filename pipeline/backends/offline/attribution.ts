import { WEEKDAYS } from '../../text/dates.ts';
import type { Sentence, Token } from '../../text/sentences.ts';
import { type Span, closesQuote, ingModifier, opensQuote, tokenSpan } from './span.ts';
import { TUNING } from './tuning.ts';

/**
 * What a sentence states, without who said it: "The outage was caused by a faulty update, the company
 * said" states "The outage was caused by a faulty update", and "the company" is its source (a
 * reference). Reads the forms news uses: "X said (on Tuesday) (that) …", "X told Reuters (that) …",
 * "According to X, …", "…, X (has) said", "…, said X, title of Y", "…, X, title, told Y", "…,
 * according to X", without the quote marks of a quoted statement or a leading "But" or "However,". A
 * statement whose subject would be a bare pronoun ("It said it would recall…") keeps its source, which
 * names what "it" is.
 */
export interface Statement {
  /** The stated clause: the sentence without its attribution, quote marks and end punctuation. */
  clause: Span;
  /** Who said it, when named (not a pronoun). */
  speaker: Span | null;
}

const A = TUNING.settings.extraction.attribution;
const SPEECH = new RegExp(`^(?:${A.verbs})$`, 'i');
const INVERTED = new RegExp(`^(?:${A.inverted})$`, 'i');
const DIRECT = new RegExp(`^(?:${A.direct})$`, 'i');
const CONNECTIVE = new RegExp(`^(?:${A.connectives})$`, 'i');
const CHANNEL = new RegExp(`^(?:${A.channels})$`, 'i');
const PRONOUN = /^(?:he|she|it|they|we|i|you|this|that|these|those)$/i;
const QUOTE = /^["“”'‘’]+$/;
const END = /^[.!?;:,"“”'‘’)]+$/;
const WHEN = new Set([
  'last',
  'this',
  'earlier',
  'late',
  'early',
  'yesterday',
  'today',
  'tonight',
  ...WEEKDAYS.map((d) => d.toLowerCase()),
]);

const DEICTIC = new Set(['this', 'last']);
const TIME_UNIT = new RegExp(
  `^(?:week|weekend|month|year|morning|afternoon|evening|night|day|spring|summer|autumn|fall|winter|quarter|${WEEKDAYS.join('|')})$`,
  'i',
);
/** A time after a speech verb ("said on Tuesday", "said this week"), not a statement's subject ("said this malware…"). */
const when = (ts: readonly Token[], i: number) =>
  WHEN.has(ts[i]!.norm) && (!DEICTIC.has(ts[i]!.norm) || TIME_UNIT.test(ts[i + 1]?.norm ?? ''));

// "California-based": a participle glued to a hyphen is part of a name, not a verb of the sentence.
const isVerb = (ts: readonly Token[], i: number) =>
  (ts[i]!.pos === 'VERB' || ts[i]!.pos === 'AUX') && !(ts[i - 1]?.norm === '-' && ts[i - 1]!.end === ts[i]!.start);
const isSpeech = (t: Token | undefined) => !!t && SPEECH.test(t.norm);
/** A verb that only reports speech ("said", "told"), unlike "claimed to improve" or "warned of". */
export const saysSo = (t: Token | undefined) => !!t && DIRECT.test(t.norm);
const words = (ts: readonly Token[]) => ts.filter((t) => t.kind === 'word' || t.kind === 'number').length;
const hasVerb = (ts: readonly Token[]) => ts.some((_t, i) => isVerb(ts, i));
const boundary = (t: Token | undefined) => !!t && (t.norm === ',' || QUOTE.test(t.norm));
/** A comma opening a relative clause: ", who researches…", ", which was reviewed by…". */
const relative = (t: Token, i: number, ts: readonly Token[]) => t.norm === ',' && /^(?:who|which)$/.test(ts[i + 1]?.norm ?? '');
/** A relative pronoun inside a stretch: what follows describes the speaker, it does not name them. */
const RELATIVE_WORD = /^(?:who|which|that)$/i;
/** Index of the first token in [from, to) meeting `stop`, or `to`. */
const upTo = (ts: readonly Token[], from: number, to: number, stop: (t: Token, i: number, ts: readonly Token[]) => boolean) => {
  for (let i = from; i < to; i++) if (stop(ts[i]!, i, ts)) return i;
  return to;
};

/**
 * A speaker: a short stretch naming someone. `loose` (after "according to", where a name like "state
 * television" may carry a verb tag) admits verb tags but not a relative clause.
 */
function speakerOf(ts: readonly Token[], maxWords: number, loose = false): Token[] | null {
  let from = 0,
    to = ts.length;
  while (from < to && (ts[from]!.pos === 'DET' || ts[from]!.pos === 'PUNCT' || QUOTE.test(ts[from]!.norm))) from++;
  // "the agency in a statement", "Wray on Wednesday": how or when it was said is not who said it.
  const said = ts.findIndex(
    (t, i) => i > from && t.pos === 'ADP' && ts.slice(i + 1, to).some((x) => WHEN.has(x.norm) || CHANNEL.test(x.norm)),
  );
  if (said > 0) to = said;
  // A closing bracket stays with its opening one: "Amazon Web Services (AWS)".
  const dangling = (t: Token) =>
    (t.pos === 'PUNCT' && !(t.norm === ')' && ts.slice(from, to).some((x) => x.norm === '('))) ||
    t.pos === 'ADV' ||
    t.pos === 'AUX' ||
    QUOTE.test(t.norm);
  while (to > from && dangling(ts[to - 1]!)) to--;
  const s = ts.slice(from, to);
  if (s.length === 0 || words(s) > maxWords) return null;
  // "chief operating officer", "managing director" name a post: the -ing form does not act.
  const acts = s.some((_t, i) => isVerb(s, i) && !ingModifier(s, i));
  if (loose ? s.some((t) => RELATIVE_WORD.test(t.norm)) : acts) return null;
  return s.length === 1 && PRONOUN.test(s[0]!.norm) ? [] : s;
}

/** After a speech verb: the audience of "told" ("told Reuters"), then a time or manner ("on Tuesday", "in a statement"). */
function afterVerb(ts: readonly Token[], v: number): number {
  let i = v + 1;
  if (ts[v]!.norm === 'told' || ts[v]!.norm === 'tells') {
    const that = ts.findIndex((t, k) => k > v && k <= v + 5 && t.norm === 'that');
    if (that > 0) return that;
    if (ts[i]?.pos === 'DET' || ts[i]?.pos === 'PRON') i++;
    while (ts[i] && (ts[i]!.pos === 'PROPN' || ts[i]!.pos === 'NOUN')) i++;
  }
  // "said around 1.2 million customers were affected", "up to 400 people": a preposition before a number (not a
  // year) counts what the statement is about.
  const n = ts[i + 1]?.pos === 'ADP' ? i + 2 : i + 1;
  const counting = ts[i]?.pos === 'ADP' && ts[n]?.kind === 'number' && !/^(?:19|20)\d\d$/.test(ts[n]!.norm);
  if (ts[i] && (ts[i]!.pos === 'ADP' || when(ts, i)) && !counting && ts[i]!.norm !== 'that' && ts[i]!.norm !== 'to') {
    const from = i;
    while (i < ts.length && i - from < 6 && !END.test(ts[i]!.norm) && !isVerb(ts, i) && ts[i]!.norm !== 'that') i++;
  }
  return i;
}

/** Leading connectives ("But", "However,") and quote marks before the clause's first word. */
function clauseStart(ts: readonly Token[], from: number): number {
  let i = from;
  while (
    ts[i] &&
    i + 1 < ts.length &&
    (QUOTE.test(ts[i]!.norm) ||
      ts[i]!.norm === ',' ||
      ts[i]!.norm === ':' ||
      // "Now that the orders go through, …", "so that": a connective before "that" opens a subordinate clause.
      (CONNECTIVE.test(ts[i]!.norm) && ts[i + 1]?.norm !== 'that'))
  )
    i++;
  return i;
}

/**
 * A clause's token range in [from, to): past its opening connectives and quotes, short of its end
 * punctuation, with the quote marks of a quotation it holds only part of kept ('"The system failed," he said').
 */
function clauseBounds(ts: readonly Token[], from: number, to: number): [number, number] {
  const a = clauseStart(ts, from),
    // '…never seen before," said X': the attribution starts past the mark that closes the clause's quotation.
    b = clauseEnd(ts, to < ts.length && closesQuote(ts, a, to + 1) ? to + 1 : to, a);
  return [a > from && opensQuote(ts, a, b) ? a - 1 : a, b];
}

/** End of a clause: without end punctuation, closing quotes or the comma before an attribution. */
function clauseEnd(ts: readonly Token[], to: number, from: number): number {
  let j = to;
  while (j > from && END.test(ts[j - 1]!.norm) && !closesQuote(ts, from, j)) j--;
  return j;
}

function statement(s: Sentence, from: number, to: number, speaker: Token[]): Statement | null {
  const ts = s.tokens;
  const [a, b] = clauseBounds(ts, from, to);
  const body = ts.slice(a, b);
  // A whole quotation is a statement even where the tagger finds no verb in it ("…this critical needs a tested way back").
  const quotation = QUOTE.test(ts[a - 1]?.norm ?? '') && QUOTE.test(ts[to]?.norm ?? '');
  if (words(body) < A.minClauseWords || !(hasVerb(body) || quotation)) return null;
  // "It said it would…": without its source the clause does not say who.
  // ("This malware targeted…" names its subject: "this" is a determiner there.)
  const determiner = ['NOUN', 'PROPN', 'ADJ'].includes(body[1]?.pos ?? '');
  if (from > 0 && PRONOUN.test(body[0]!.norm) && !determiner && speaker.length > 0) return null;
  return { clause: tokenSpan(s, body), speaker: speaker.length ? tokenSpan(s, speaker) : null };
}

/**
 * The speaker before speech verb `v` ("…, Steve Bono, the company's CEO, told…"): back to the comma or
 * quote before it, taking in a name before a title. Returns where the speaker starts.
 */
function speakerBefore(ts: readonly Token[], v: number): { at: number; speaker: Token[] } | null {
  // "…, Steve Bono, the company's CEO, told CNET": the speaker ends at the comma before the verb.
  const end = ts[v - 1]?.norm === ',' ? v - 1 : v;
  let c = end - 1;
  while (c >= 0 && !boundary(ts[c])) c--;
  if (c <= 0) return null;
  let speaker = speakerOf(ts.slice(c + 1, end), A.maxSpeakerWords);
  if (!speaker) return null;
  // A title ("the company's CEO") after a name ("Steve Bono, "): the name is the speaker's start.
  if (speaker.length && speaker[0]!.pos !== 'PROPN' && ts[c]!.norm === ',') {
    let b = c - 1;
    while (b >= 0 && ts[b]!.pos === 'PROPN') b--;
    if (b < c - 1 && boundary(ts[b])) {
      const named = speakerOf(ts.slice(b + 1, end), A.maxSpeakerWords * 2);
      if (named) {
        speaker = named;
        c = b;
      }
    }
  }
  // A title before the name ("…, the company's chief content officer, Isabelle Moreau, said"): the title is the start.
  if (speaker.length && speaker[0]!.pos === 'PROPN' && ts[c]!.norm === ',') {
    let b = c - 1;
    while (b >= 0 && !boundary(ts[b])) b--;
    const title = ts.slice(b + 1, c);
    if (b > 0 && (title[0]?.pos === 'DET' || title[0]?.norm === 'its') && speakerOf(title, A.maxSpeakerWords)?.length) {
      const named = speakerOf(ts.slice(b + 1, end), A.maxSpeakerWords * 2);
      if (named) return { at: b, speaker: named };
    }
  }
  return { at: c, speaker };
}

/** "…, X said." / "…, said X, title." / "…, X, title, told Y." / "…, according to X." */
function trailing(s: Sentence): Statement | null {
  const ts = s.tokens,
    n = clauseEnd(ts, ts.length, 0);
  for (let v = n - 1; v > 0 && n - v <= A.maxSpeakerWords * 2 + 6; v--) {
    const t = ts[v]!;
    if (t.norm === 'according' && ts[v + 1]?.norm === 'to' && ts[v - 1]?.norm === ',') {
      const rest = ts.slice(v + 2, n);
      // Not trailing when another clause follows ("according to industry figures, and two banks disclosed…").
      const more = rest.some((x, i) => x.norm === ',' && rest[i + 1]?.pos === 'CCONJ');
      // "according to complaints posted online, shortly before…": the source ends at the comma.
      const source = ts.slice(
        v + 2,
        upTo(ts, v + 2, n, (x) => x.norm === ','),
      );
      const speaker = more ? null : speakerOf(source, A.maxSpeakerWords * 2, true);
      if (speaker) return statement(s, 0, v - 1, speaker);
    }
    if (!isSpeech(t)) continue;
    // "…, said X": unless a preposition follows ("…, Isabelle Moreau, said in a statement"), which tells how.
    if (boundary(ts[v - 1]) && INVERTED.test(t.norm) && ts[v + 1]?.pos !== 'ADP') {
      // "…, said Professor Elaine Burke, who researches…": what the speaker does is not who speaks.
      const speaker = speakerOf(ts.slice(v + 1, upTo(ts, v + 1, n, relative)), A.maxSpeakerWords * 2);
      if (speaker) return statement(s, 0, v - 1, speaker);
    }
    if (afterVerb(ts, v) >= n) {
      let w = v;
      while (w > 0 && ts[w - 1]!.pos === 'AUX') w--;
      const found = speakerBefore(ts, w);
      if (found) return statement(s, 0, found.at, found.speaker);
    }
    return null;
  }
  return null;
}

/**
 * Past an opening phrase that says how or when something was said ("In a letter to customers, …",
 * "On Tuesday, …", "Later, …"): a preposition or an adverb, a few words without a verb, and a comma.
 */
function leadIn(ts: readonly Token[], from: number): number {
  const t = ts[from];
  if (!t || !(t.pos === 'ADP' || t.pos === 'ADV' || WHEN.has(t.norm))) return from;
  const comma = ts.findIndex((x, i) => i > from && i <= from + A.maxSpeakerWords && x.norm === ',');
  if (comma < 0 || ts.slice(from, comma).some((_x, i) => isVerb(ts, from + i))) return from;
  return clauseStart(ts, comma + 1);
}

/**
 * "Marion Fletcher, branch secretary of the union representing council workers, said …": a name and its
 * apposition, which may hold verbs of its own, before the speech verb. Returns the verb and the speaker.
 */
function namedBefore(ts: readonly Token[], start: number): { v: number; speaker: Token[] } | null {
  let i = start;
  while (ts[i]?.pos === 'PROPN') i++;
  if (i === start || ts[i]?.norm !== ',') return null;
  const close = upTo(ts, i + 1, ts.length, (t) => t.norm === ',');
  if (close >= ts.length || words(ts.slice(i + 1, close)) > A.maxSpeakerWords * 2) return null;
  let v = close + 1;
  while (ts[v]?.pos === 'AUX') v++;
  if (!isSpeech(ts[v])) return null;
  // "Lotte Brink, who runs IT for…, said", "Ravi Shah, a consultant who has advised…, said": what the
  // speaker does is not who speaks (as in trailing).
  const rel = upTo(ts, i + 1, close, (t) => RELATIVE_WORD.test(t.norm));
  return { v, speaker: ts.slice(start, rel === i + 1 ? i : rel) };
}

/** "X said (on Tuesday) (that) …" / "X told Y (that) …" / "According to X, …", after any lead-in (leadIn). */
function leading(s: Sentence): Statement | null {
  const ts = s.tokens;
  const start = leadIn(ts, clauseStart(ts, 0));
  if (ts[start]?.norm === 'according' && ts[start + 1]?.norm === 'to') {
    const comma = ts.findIndex((t, i) => i > start + 1 && t.norm === ',');
    const speaker = comma > 0 ? speakerOf(ts.slice(start + 2, comma), A.maxSpeakerWords * 2, true) : null;
    // "According to the briefing, which was reviewed by TechWire Weekly, the module…": the statement follows the relative clause.
    const from = relative(ts[comma]!, comma, ts) ? ts.findIndex((t, i) => i > comma + 1 && t.norm === ',') : comma;
    return speaker && from > 0 ? statement(s, from + 1, ts.length, speaker) : null;
  }
  const named = namedBefore(ts, start);
  const v = named?.v ?? ts.findIndex((_t, i) => i > start && isVerb(ts, i) && ts[i]!.pos !== 'AUX');
  if (v < 0 || !isSpeech(ts[v])) return null;
  const speaker = named?.speaker ?? speakerOf(ts.slice(start, v), A.maxSpeakerWords);
  if (!speaker) return null;
  let i = afterVerb(ts, v);
  // "told users to reset their devices" is an instruction, not a statement.
  if (ts[i]?.norm === 'to') return null;
  // "acknowledged the problem on social media": an object, not a statement, unless "that" or ":" opens one.
  if (!DIRECT.test(ts[v]!.norm) && ts[i]?.norm !== 'that' && ts[i]?.norm !== ':') return null;
  if (ts[i]?.norm === 'that' || ts[i]?.norm === ':' || ts[i]?.norm === ',') i++;
  return statement(s, i, ts.length, speaker);
}

/** The sentence's statement and source; the whole sentence, sourceless, when no attribution is read. */
/**
 * A clause of a longer statement without the source named at its end: in "The FBI thwarted the hackers,
 * according to Wray, but he cited it as an example…" the sentence goes on past its source, which is
 * therefore no attribution of the whole, but it is of the first clause.
 */
export function withoutTrailingSource(s: Sentence, part: Token[]): Token[] {
  const found = trailing({ ...s, tokens: part });
  return found ? part.filter((t) => t.start >= found.clause.start && t.end <= found.clause.end) : part;
}

export function statementOf(s: Sentence): Statement {
  // A sentence that opens with its speaker ("Classbridge, which is used by 1,200 schools, said the site was
  // back…") is read from the start: the splitter may have run a later quote and its speaker onto it.
  const named = namedBefore(s.tokens, leadIn(s.tokens, clauseStart(s.tokens, 0))) !== null;
  const found = named ? (leading(s) ?? trailing(s)) : (trailing(s) ?? leading(s));
  if (found) return found;
  const ts = s.tokens;
  const [a, b] = clauseBounds(ts, 0, ts.length);
  return { clause: b > a ? tokenSpan(s, ts.slice(a, b)) : s, speaker: null };
}
