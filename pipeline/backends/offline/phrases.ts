import { MONTHS, WEEKDAYS } from '../../text/dates.ts';
import type { Sentence, Token } from '../../text/sentences.ts';
import { type Span, tokenSpan } from './span.ts';
import { TUNING } from './tuning.ts';

/**
 * The noun phrases of a sentence, from wink-nlp's POS tags: the names an analyst writes for the system
 * ("Samsung Galaxy S5 fingerprint scanner") and the organisations ("Amazon Web Services (AWS)"). A
 * chunk runs over nouns, proper nouns, numbers and adjectives, with possessives ("Germany's") and
 * glued symbols ("Disney+") inside it, and a bracketed acronym after it. Analysts name things more
 * fully than a chunk: "researchers at Security Research Labs", "the AiCloud feature of Asus routers",
 * "Netflix, Disney+ and Robinhood", "software that operates a sluice gate", "malware called Kovter".
 * So a chunk is offered alone and with each of the next few chunks it links to (a preposition, a
 * list, an apposition, a short relative or participle clause), up to a length.
 */
export interface Phrase extends Span {
  tokens: Token[];
  /** Proper nouns in it. */
  proper: number;
  /** How many chunks it links beyond the first. */
  links: number;
  /** A proper name inside a longer chunk ("Toyota" in "Toyota's latest recall"). */
  inner: boolean;
}

const P = TUNING.settings.extraction.phrases;
const INSIDE = new Set(['PROPN', 'NOUN', 'NUM', 'ADJ']);
const LAST = new Set(['PROPN', 'NOUN', 'NUM']);
export const GLUE = new Set(['+', '&', '-', '/', '.']);
const PREPOSITION = new RegExp(`^(?:${P.prepositions})$`, 'i');
const RELATIVE = /^(?:that|which|who)$/i;
const PARTICIPLE = new RegExp(`^(?:${P.participles})$`, 'i');
const COMPLEMENTED = new RegExp(`^(?:${P.complemented})$`, 'i');
// Days, months and spans of time ("last year") date a name's sentence; they are not part of the name.
const CALENDAR = new Set(
  [
    ...WEEKDAYS,
    ...MONTHS,
    'last',
    'next',
    'year',
    'years',
    'month',
    'months',
    'week',
    'weeks',
    'day',
    'days',
    'weekend',
    'today',
    'yesterday',
    'tomorrow',
    'morning',
    'afternoon',
    'evening',
    'night',
    'hour',
    'hours',
    'minute',
    'minutes',
    'seconds',
  ].map((w) => w.toLowerCase()),
);

const adjacent = (a: Token, b: Token, s: Sentence) => /^[ \t]*$/.test(s.text.slice(a.end - s.start, b.start - s.start));
const glued = (a: Token, b: Token) => a.end === b.start;
export const possessive = (t: Token) => t.pos === 'PART' && /^['’]s?$/.test(t.norm);
const NAMED_DAY = new RegExp(`^(?:${P.namedDays})$`, 'i');
const WEEKDAY = new Set(WEEKDAYS.map((d) => d.toLowerCase()));
// A time of day ("at 11:40") dates a sentence, as a day does.
const CLOCK = /^\d{1,2}:\d{2}(?::\d{2})?$/;
const YEAR = /^(?:1[89]|20)\d{2}$/;
const insideChunk = (t: Token) => INSIDE.has(t.pos) && !CALENDAR.has(t.norm) && !CLOCK.test(t.norm) && t.kind !== 'punctuation';
const SUBJECT = new Set(['NOUN', 'PROPN', 'PRON']);
/**
 * The tagger reads a past tense after its subject as an adjective ("the bank temporarily disabled new
 * payee creation"): an -ed word whose nearest word before it, adverbs aside, is a noun or a pronoun is
 * the verb, and starts no name. After a determiner or a possessive it stays a modifier ("the affected
 * customers", "Sony's updated firmware").
 */
function pastVerbs(t: readonly Token[]): Set<number> {
  const out = new Set<number>();
  t.forEach((x, i) => {
    if (x.pos !== 'ADJ' || !/ed$/i.test(x.norm)) return;
    let j = i - 1;
    while (j >= 0 && t[j]!.pos === 'ADV') j--;
    if (j >= 0 && SUBJECT.has(t[j]!.pos)) out.add(i);
  });
  return out;
}
const isVerb = (t: Token) => t.pos === 'VERB';

/** Maximal runs of chunk tokens, as token index ranges [from, to). */
function chunks(s: Sentence): [number, number][] {
  const t = s.tokens,
    out: [number, number][] = [];
  const verbs = pastVerbs(t);
  // "Black Friday", "Cyber Monday": a day's name is a date, not a name.
  const day = (k: number) => NAMED_DAY.test(t[k]!.norm) && WEEKDAY.has(t[k + 1]?.norm ?? '');
  // "for three days": a number counting spans of time is a duration, and no name reaches into it.
  const duration = (k: number) => t[k]!.pos === 'NUM' && CALENDAR.has(t[k + 1]?.norm ?? '');
  // "In 2015 Jacky Alcine spotted…", "in June 2015": a year after a preposition or a month dates the sentence
  // ("the 2015 Prius", "Office 2019" keep theirs).
  const year = (k: number) => YEAR.test(t[k]!.norm) && k > 0 && (t[k - 1]!.pos === 'ADP' || CALENDAR.has(t[k - 1]!.norm));
  // "chief operating officer", "a free streaming service": the tagger reads the -ing word between an adjective and a
  // noun as a verb, and the title or the name would start after it ("officer Lina Hartwell"). Not after a
  // predicative adjective ("was difficult using apps").
  const gerund = (k: number) =>
    k > 0 &&
    isVerb(t[k]!) &&
    /ing$/i.test(t[k]!.norm) &&
    t[k - 1]!.pos === 'ADJ' &&
    t[k + 1]?.pos === 'NOUN' &&
    !['AUX', 'VERB'].includes(t[k - 2]?.pos ?? '') &&
    adjacent(t[k - 1]!, t[k]!, s) &&
    adjacent(t[k]!, t[k + 1]!, s);
  const inside = t.map((x, k) => (insideChunk(x) || gerund(k)) && !verbs.has(k) && !day(k) && !duration(k) && !year(k));
  // Token k ends a hyphenated word that a noun begins ("check" "-" "in").
  const hyphened = (k: number) =>
    k >= 2 &&
    t[k]?.kind === 'word' &&
    t[k - 1]!.norm === '-' &&
    glued(t[k - 2]!, t[k - 1]!) &&
    glued(t[k - 1]!, t[k]!) &&
    LAST.has(t[k - 2]!.pos);
  let i = 0;
  while (i < t.length) {
    if (!inside[i]) {
      i++;
      continue;
    }
    let j = i + 1;
    for (;;) {
      const prev = t[j - 1]!,
        cur = t[j];
      if (!cur) break;
      if (inside[j] && adjacent(prev, cur, s)) {
        j++;
        continue;
      }
      // Possessives and glued symbols stay inside when a chunk token follows (or, for a symbol, ends it: "Disney+").
      const next = t[j + 1];
      // A hyphenated word is one word, whatever the tagger calls its parts: "check-in", "log-in page".
      if (hyphened(j + 1)) {
        j += 2;
        continue;
      }
      if (possessive(cur) && glued(prev, cur) && next && inside[j + 1]) {
        j += 2;
        continue;
      }
      if (GLUE.has(cur.norm) && glued(prev, cur) && (!next || !inside[j + 1] || glued(cur, next))) {
        j++;
        continue;
      }
      // "(AWS)": an acronym in brackets right after the chunk.
      if (cur.norm === '(' && t[j + 1]?.pos === 'PROPN' && t[j + 2]?.norm === ')') {
        j += 3;
        continue;
      }
      break;
    }
    let end = j;
    // A chunk ends on what it names: not on an adjective, a possessive or a dangling symbol, nor on a
    // hyphenated participle ("the Google-owned ad technology", where the tagger took "ad" for an adverb),
    // which describes the noun after it.
    const modifier = (k: number) => hyphened(k) && t[k]!.pos === 'VERB';
    while (
      end > i &&
      (modifier(end - 1) ||
        !(LAST.has(t[end - 1]!.pos) || t[end - 1]!.norm === ')' || (t[end - 1]!.norm === '+' && end - 1 > i) || hyphened(end - 1)))
    )
      end = modifier(end - 1) ? Math.max(i, end - 3) : end - 1;
    if (end > i) out.push([i, end]);
    i = Math.max(j, i + 1);
  }
  return out;
}

/**
 * Do the tokens between two chunks link them into one name? A preposition ("of", "at the"), a list
 * of names ("Netflix, Disney+ and Robinhood"), an apposition ("Boeing, the planemaker"), or a short
 * relative or participle clause ("that operates a", "called", "served by").
 */
function links(left: readonly Token[], gap: readonly Token[], right: readonly Token[], after: Token | undefined): boolean {
  const g = gap.filter((t) => t.pos !== 'DET');
  if (gap.length > 4) return false;
  // A chunk that a verb follows is the next clause's subject: "since mid-April, the statement said".
  const verbNext = !!after && (after.pos === 'VERB' || after.pos === 'AUX');
  // A proper name takes a preposition's object only when it too is named ("Bank of England", "Boeing on the 737
  // MAX"): "asked Paylio for a full report" is what Paylio was asked, not a longer name for it.
  if (g.length === 1 && PREPOSITION.test(g[0]!.norm))
    return g[0]!.norm === 'of' || left.at(-1)!.pos !== 'PROPN' || right.some((t) => t.pos === 'PROPN');
  if (g.length >= 1 && g.length <= 2 && g.every((t) => t.norm === 'and' || t.norm === '&' || t.norm === 'or' || t.norm === ',')) {
    // ", and service returned": a comma and a conjunction before a subject and its verb join two clauses.
    if (g.some((t) => t.norm !== ',')) return !(verbNext && g.some((t) => t.norm === ','));
    // A comma alone joins names in a list, or a name to what it is ("Boeing, the planemaker"); else it ends a phrase.
    const named = left.at(-1)!.pos === 'PROPN' && !verbNext;
    return named && (right[0]!.pos === 'PROPN' || gap.some((t) => t.pos === 'DET'));
  }
  // A relative clause that goes on past the right chunk ("certificate that proves the servers are genuine",
  // "fault that caused some pumps to lose track") would leave the name mid-clause.
  if (g.length === 2 && RELATIVE.test(g[0]!.norm) && isVerb(g[1]!)) return !(verbNext || after?.norm === 'to');
  return (g.length === 1 || (g.length === 2 && g[1]!.norm === 'by')) && isVerb(g[0]!) && PARTICIPLE.test(g[0]!.norm);
}

/** Runs of proper nouns in a chunk (numbers and glued symbols inside them): "Boeing 737 MAX", "Toyota". */
function properRuns(t: readonly Token[], a: number, b: number): [number, number][] {
  const out: [number, number][] = [];
  let i = a;
  while (i < b) {
    if (t[i]!.pos !== 'PROPN') {
      i++;
      continue;
    }
    let j = i + 1;
    while (
      j < b &&
      (t[j]!.pos === 'PROPN' ||
        t[j]!.norm === ')' ||
        t[j]!.norm === '(' ||
        ((t[j]!.pos === 'NUM' || GLUE.has(t[j]!.norm)) && t[j + 1]?.pos === 'PROPN'))
    )
      j++;
    while (j > i + 1 && (t[j - 1]!.norm === '(' || GLUE.has(t[j - 1]!.norm))) j--;
    out.push([i, j]);
    i = j;
  }
  return out;
}

/**
 * Noun phrases of a sentence, left to right: each chunk, the proper names inside it, then the chunk
 * with each further linked chunk.
 */
export function nounPhrases(s: Sentence): Phrase[] {
  const t = s.tokens,
    cs = chunks(s),
    out: Phrase[] = [];
  const make = (from: number, to: number, linked: number, inner = false): Phrase => {
    const tokens = t.slice(from, to);
    return { ...tokenSpan(s, tokens), tokens, proper: tokens.filter((x) => x.pos === 'PROPN').length, links: linked, inner };
  };
  // "connectivity and lack" of "… and lack of internet sophistication": a word that needs its "of" ends no phrase.
  const whole = (to: number) => !(t[to]?.norm === 'of' && COMPLEMENTED.test(t[to - 1]!.norm));
  cs.forEach(([a, b], k) => {
    if (whole(b)) out.push(make(a, b, 0));
    for (const [c, d] of properRuns(t, a, b)) if (c !== a || d !== b) out.push(make(c, d, 0, true));
    let end = b;
    for (let n = 1; n <= P.maxLinks && cs[k + n]; n++) {
      const [c, d] = cs[k + n]!;
      if (!links(t.slice(a, end), t.slice(end, c), t.slice(c, d), t[d]) || d - a > P.maxTokens) break;
      end = d;
      if (whole(d)) out.push(make(a, d, n));
    }
  });
  return out;
}

const TIME = new RegExp(`^(?:${P.times})$`, 'i');
/** Calendar words that end a time a chunk stops short of ("on deadline day"). */
const TIME_NOUN = new Set(['day', 'morning', 'afternoon', 'evening', 'night', 'week', 'weekend']);

/**
 * A name without the last link when that link only dates it: "new payee creation in the app at 3 p.m.",
 * "Calder's online tax-filing system on deadline", of "on deadline day" (the chunks leave "day" out, as
 * every calendar word). Null when no such link ends the name.
 */
export function undated(s: Sentence, span: Span): Span | null {
  const tokens = s.tokens.filter((t) => t.start >= span.start && t.end <= span.end);
  let at = tokens.length - 1;
  while (at > 0 && !PREPOSITION.test(tokens[at]!.norm)) at--;
  if (at < 1) return null;
  const tail = tokens.slice(at + 1).filter((t) => t.pos !== 'DET');
  const next = s.tokens.find((t) => t.start >= span.end);
  const clock = tail.length > 0 && tail.every((t) => t.pos === 'NUM' || TIME.test(t.norm));
  const day = tail.length === 1 && !!next && TIME_NOUN.has(next.norm) && adjacent(tail[0]!, next, s);
  return clock || day ? tokenSpan(s, tokens.slice(0, at)) : null;
}
