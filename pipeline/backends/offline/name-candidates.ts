import { type Sentence, type Token, contentWords } from '../../text/sentences.ts';
import { FIELD_CUES, SOFTWARE } from './cues.ts';
import type { ArticleDoc, Cue } from './evidence.ts';
import { NAME_FIELDS, type NameField } from './fact-fields.ts';
import type { Features } from './logistic.ts';
import { GLUE, type Phrase, nounPhrases, possessive } from './phrases.ts';
import { type Span, ingModifier, tokenSpan } from './span.ts';
import type { Statement } from './attribution.ts';
import { type NAME_KINDS, TUNING } from './tuning.ts';

/**
 * Names a postmortem may state (the system, the organisations, the sources), as candidates for the
 * learned models: the noun phrases of a sentence (phrases.ts) and the source a statement names
 * (attribution.ts), with what each offers.
 */
export interface Sighting {
  phrase: Phrase;
  /** The phrase is the source of the sentence's statement ("…, the agency said"). */
  speaker: boolean;
  s: Sentence;
  /** The sentence's own features, which a name's model reads too. */
  sx: Features;
}

/** A name's normal form: case, possessives, a leading article and spacing do not make another name. */
export const nameKey = (text: string) =>
  text
    .toLowerCase()
    .replace(/['’]s?\b/g, '')
    .replace(/^the\s+/, '')
    .replace(/\s+/g, ' ')
    .trim();

const has = (text: string, list: readonly Cue[]) => (list.some((c) => c.re.test(text)) ? 1 : 0);
/** Phrases worth offering as names: a proper noun, or words for systems, organisations or sources. */
const NAMING = [...SOFTWARE, ...NAME_FIELDS.flatMap((f) => FIELD_CUES[f])];

const KINDS = TUNING.settings.extraction.nameKinds;
const ORGANISATION = new RegExp(`^(?:${KINDS.organisation})$`, 'i');
const PRODUCT = new RegExp(`^(?:${KINDS.product})$`, 'i');
const SOURCE = new RegExp(`^(?:${KINDS.source})$`, 'i');
const MEDIA = new RegExp(`^(?:${KINDS.media})$`, 'i');
const EVENT = new RegExp(`^(?:${KINDS.event})$`, 'i');
const PEOPLE = new RegExp(`^(?:${KINDS.people})$`, 'i');
const CULPRITS = new RegExp(`^(?:${KINDS.culprits})$`, 'i');
const NAMED = new Set(['PROPN', 'NOUN', 'NUM']);
const QUANTITY = new RegExp(`^(?:${TUNING.settings.extraction.phrases.quantities})$`, 'i');
const RELATION = new RegExp(`^(?:${TUNING.settings.extraction.phrases.relations})$`, 'i');
const PLACE_OR_EVENT = new RegExp(`^(?:${TUNING.settings.extraction.phrases.placesAndEvents})$`, 'i');
const PLACE_BEFORE = new RegExp(`^(?:${TUNING.settings.extraction.placeBefore})$`, 'i');
const IN_NAME_PLURAL = new RegExp(`^(?:${TUNING.settings.extraction.phrases.inNamePlurals})$`, 'i');

/**
 * The word a name is about: the last noun of its first chunk ("researchers" in "researchers at Security
 * Research Labs", "system" in "Sony's PlayStation 3's encryption system"), before any link to another chunk.
 */
export function headOf(p: Phrase): Token {
  let head = p.tokens[0]!;
  for (const [i, t] of p.tokens.entries()) {
    const prev = p.tokens[i - 1];
    // The end of a hyphenated word ("check-in failure"): still inside the name, whatever its tag.
    const hyphened = prev?.norm === '-' && prev.end === t.start;
    if (NAMED.has(t.pos)) head = t;
    else if (
      !(hyphened || ingModifier(p.tokens, i) || t.pos === 'ADJ' || t.pos === 'PART' || GLUE.has(t.norm) || t.norm === '(' || t.norm === ')')
    )
      break;
  }
  return head;
}

export type NameKind = (typeof NAME_KINDS)[number];

/** The head word of a name past any determiner ("its analyst Priya Raman" is about Priya Raman). */
const headPast = (tokens: readonly Token[], p: Phrase) => {
  const from = tokens.findIndex((t) => t.pos !== 'DET' && t.pos !== 'PRON');
  return headOf({ ...p, tokens: tokens.slice(Math.max(0, from)) });
};

/** What a name names, by its head word. */
export function kindOf(p: Phrase): NameKind {
  const head = headPast(p.tokens, p);
  // Before the tag: the tagger calls a capitalised sentence opener ("Shoppers discovered…") a proper noun.
  if (PEOPLE.test(head.norm)) return 'people';
  if (EVENT.test(head.norm)) return 'event';
  if (head.pos === 'PROPN') {
    // "Marion Fletcher, branch secretary of the union": a name the apposition gives a role is a person.
    const comma = p.tokens.findIndex((t) => t.norm === ',');
    const role = comma > 0 && comma + 1 < p.tokens.length ? headPast(p.tokens.slice(comma + 1), p) : null;
    // A body named with one ("European Banking Authority, the EU's banking regulator") is none.
    const body = (t: Token) => ORGANISATION.test(t.norm);
    return role && SOURCE.test(role.norm) && !body(role) && !body(head) ? 'person' : 'proper';
  }
  if (ORGANISATION.test(head.norm)) return 'organisation';
  if (SOURCE.test(head.norm)) return 'source';
  return PRODUCT.test(head.norm) ? 'product' : 'other';
}

/**
 * What a name states in each name field (settings.json fieldKinds): the name itself where the field takes
 * its kind; else its owner, where a proper name owns it ("Tesla's official response" names Tesla as a
 * source) or serves the people it names ("Lumenstream subscribers" are Lumenstream's, which is the
 * responsible organisation, not they); else nothing.
 */
export function spansFor(p: Phrase): Partial<Record<NameField, Span>> {
  const kind = kindOf(p);
  // "Lumenstream subscribers": the proper name right before the people is whose they are. (A day never
  // gets here: phrases.ts keeps days and day names, "Black Friday", out of names.)
  const owner = ownerOf(p, (next) => PEOPLE.test(next.norm));
  const span: Span = { start: p.start, end: p.end, text: p.text };
  const out: Partial<Record<NameField, Span>> = {};
  for (const f of NAME_FIELDS) {
    const takes = TUNING.settings.extraction.fieldKinds[f]?.includes(kind) ?? true;
    if (takes) out[f] = span;
    else if (owner) out[f] = owner;
  }
  return out;
}

/** A kept name's span as a phrase again, to read what kind of thing it names. */
const phraseAt = (s: Sentence, span: Span): Phrase => ({
  ...span,
  tokens: s.tokens.filter((t) => t.start >= span.start && t.end <= span.end),
  proper: 0,
  links: 0,
  inner: false,
});

/** The span of tokens `from`..`to` of a phrase. */
const sub = (p: Phrase, from: number, to: number): Span => {
  const a = p.tokens[from]!,
    b = p.tokens[to]!;
  return { start: a.start, end: b.end, text: p.text.slice(a.start - p.start, b.end - p.start) };
};

/** Where a phrase starts past its determiners. */
const pastDeterminers = (p: Phrase) =>
  Math.max(
    0,
    p.tokens.findIndex((t) => t.pos !== 'DET'),
  );

/** The proper name a phrase opens with, when a possessive (or what `also` accepts) follows it: whose the rest is. */
function ownerOf(p: Phrase, also: (next: Token) => boolean = () => false): Span | null {
  const from = pastDeterminers(p);
  let to = from;
  while (p.tokens[to]?.pos === 'PROPN') to++;
  const next = p.tokens[to];
  // "Boston Children's Hospital", "People's Bank": the possessive of such a plural is part of the name, whose no one.
  if (to > from && next && possessive(next) && IN_NAME_PLURAL.test(p.tokens[to - 1]!.norm)) return null;
  return to > from && next && (possessive(next) || also(next)) ? sub(p, from, to - 1) : null;
}

const SCALE = /^(?:hundred|thousand|million|billion)s?$/i;

/**
 * Where a count of things ends, when a name opens with one: "27,000 GlucoFlow 3 insulin pumps", "2.4
 * million Prius" say how many failed, not what; 0 for any other name. A model number is no count
 * ("737 MAX jets"): a count has a scale or thousands separators, or is a few units of a plural common
 * noun ("3 insulin pumps").
 */
function countEnd(p: Phrase): number {
  const { tokens } = p;
  const from = pastDeterminers(p);
  let to = from;
  while (tokens[to]?.pos === 'NUM') to++;
  const first = tokens[from]?.norm ?? '';
  const next = tokens[to];
  const last = tokens.at(-1)!;
  const plural = last.pos === 'NOUN' && /[^s]s$/i.test(last.norm);
  const count =
    /^\d{1,3}(?:,\d{3})+$/.test(first) ||
    SCALE.test(tokens[to - 1]?.norm ?? '') ||
    (/^\d{1,2}$/.test(first) && next?.pos === 'NOUN' && plural);
  return to > from && to < tokens.length && count ? to : 0;
}

/** What a failure is in or of. Not "at": an outage at Cobalt Cloud or at Holloway Junction is in no system named there. */
const OF = /^(?:of|in|on|with|to|for|affecting)$/i;

/**
 * The part of a name that names the system, when the name is a failure, a group of people, a number of
 * things or a relation to them: "problems on Sony's PlayStation 4", "Owners of Hearthly smart
 * thermostats", "Thousands of Halden Motors electric vehicles" name it after the preposition, if that part
 * is a system in turn ("Hundreds of thousands of Lumenstream subscribers", "responsibility for the
 * ransomware attack" are none); "North Korea's internet connectivity problems" by the
 * nouns before the failure, when they make a name (a proper noun, or two words: not "Toyota's latest" of
 * a recall, nor the "stream" of a stream failure). False when the name names no system, as a person or a
 * body of people never does; null for any other name, which is stated whole.
 */
export function systemPart(s: Sentence, span: Span): Span | null | false {
  const p = phraseAt(s, span),
    { tokens } = p;
  const kind = kindOf(p);
  const head = headPast(tokens, p).norm;
  // A person, by name or by role, or a body of people is never the system ("Lumenstream's chief
  // technology officer", "the company's networking team"; "payment systems" are no body).
  if (kind === 'person' || kind === 'source' || (kind === 'organisation' && !PRODUCT.test(head))) return false;
  const counted = countEnd(p);
  if (counted) {
    const rest = sub(p, counted, tokens.length - 1);
    return systemPart(s, rest) ?? rest;
  }
  if (kind !== 'event' && kind !== 'people' && !QUANTITY.test(head) && !RELATION.test(head)) return null;
  const part = subjectOf(p, kind);
  return part && (systemPart(s, part) ?? part);
}

function subjectOf(p: Phrase, kind: NameKind): Span | false {
  const head = headPast(p.tokens, p);
  const at = p.tokens.indexOf(head);
  if (p.tokens[at + 1] && OF.test(p.tokens[at + 1]!.norm)) {
    let from = at + 2;
    while (p.tokens[from]?.pos === 'DET') from++;
    // Whose customers or employees they are is an organisation ("employees of Ashbury District Council").
    const last = p.tokens.at(-1)!.norm;
    return from < p.tokens.length && !(ORGANISATION.test(last) && !PRODUCT.test(last)) && sub(p, from, p.tokens.length - 1);
  }
  if (kind !== 'event') return false;
  const from = pastDeterminers(p);
  const before = p.tokens.slice(from, at);
  const last = before.at(-1);
  const named = before.some((t) => t.pos === 'PROPN') || contentWords(before).length >= 2;
  // One chunk of nouns naming a thing: not "connectivity and lack", nor "Tesla's official" of a response.
  const chunk = before.every((t) => ['NOUN', 'PROPN', 'ADJ', 'NUM', 'PART'].includes(t.pos) || GLUE.has(t.norm));
  const thing = !!last && (last.pos === 'NOUN' || last.pos === 'PROPN') && ![SOURCE, PEOPLE, ORGANISATION].some((re) => re.test(last.norm));
  return thing && named && chunk && sub(p, from, at - 1);
}

/**
 * The proper name an organisation named by its role is given in an apposition: "the software's supplier,
 * MedSlot, had swapped…", "the supplier, Ticketra". The phrase ends before the verb that follows, so the
 * name is not in it; it is the run of proper nouns between the commas (or before the sentence's end).
 */
function namedAfter(s: Sentence, p: Phrase): Span | null {
  if (p.proper > 0 || !ORGANISATION.test(headPast(p.tokens, p).norm)) return null;
  const at = s.tokens.findIndex((t) => t.start >= p.end);
  if (at < 0 || s.tokens[at]!.norm !== ',') return null;
  let to = at + 1;
  while (s.tokens[to]?.pos === 'PROPN') to++;
  const after = s.tokens[to];
  const run = s.tokens.slice(at + 1, to);
  return run.length > 0 && run.length <= 4 && (!after || after.norm === ',' || after.kind === 'punctuation') ? tokenSpan(s, run) : null;
}

/**
 * The part of a name that names an organisation, when the name is a person under a title ("Revenue
 * Commissioner Adaeze Nwosu", "CD Projekt Red co-founder Marcin Iwinski") or an organisation's
 * ("Environment Agency's Ian Withers"): the proper name before a lower-case title or the possessive,
 * whose the person is ("CD Projekt Red"), or false; false for a place or an event.
 * Null for any other name. The tagger
 * reads a capitalised title as part of the name, so the person's name is the proper nouns after the
 * last role word, and a title is a source word that names a role, not a publication or a body.
 */
export function organisationPart(s: Sentence, span: Span): Span | null | false {
  const p = phraseAt(s, span),
    { tokens } = p;
  const named = namedAfter(s, p);
  if (named) return named;
  const role = (t: Token | undefined) => !!t && SOURCE.test(t.norm) && !MEDIA.test(t.norm) && !ORGANISATION.test(t.norm);
  // A place or an event named like an organisation ("Holloway Junction", "Tessaly Cup") is none.
  const head = headPast(tokens, p);
  if (head.pos === 'PROPN' && PLACE_OR_EVENT.test(head.norm)) return false;
  let i = tokens.length;
  while (i > 0 && tokens[i - 1]!.pos === 'PROPN' && !role(tokens[i - 1])) i--;
  // "Environment Agency's Ian Withers": a person named as an organisation's is the organisation's voice.
  if (tokens.length - i >= 2 && i >= 2 && possessive(tokens[i - 1]!)) {
    const from = pastDeterminers(p);
    const owner = tokens.slice(from, i - 1);
    if (owner.length > 0 && owner.every((x) => x.pos === 'PROPN') && ORGANISATION.test(owner.at(-1)!.norm)) return sub(p, from, i - 2);
  }
  if (tokens.length - i < 2 || !role(tokens[i - 1])) return null;
  // Back over the title to the proper name it follows.
  let t = i - 1;
  while (t > 0 && role(tokens[t - 1])) t--;
  const from = pastDeterminers(p);
  const owner = tokens.slice(from, t);
  return owner.length > 0 && owner.every((x) => x.pos === 'PROPN') && tokens[t]!.pos !== 'PROPN' && sub(p, from, t - 1);
}

/**
 * The part of a name that names the organisation responsible: as for any organisation (organisationPart),
 * and of a thing, its owner ("Northwind's check-in system" is Northwind's; "counter in the company's
 * video software", owned by no name, is stated whole); none for a body of the people a failure hits. The people a failure hit often name a product as
 * what hit them, so the impacted organisation keeps it.
 */
export function responsiblePart(s: Sentence, span: Span): Span | null | false {
  const titled = organisationPart(s, span);
  if (titled !== null) return titled;
  const p = phraseAt(s, span);
  // A body named for the people a failure hits ("Passenger group Rail Users Eastmere") speaks for them, and a
  // count of things ("2.4 million Prius and Auris hybrids") is what failed or was hit, not who is responsible.
  if (p.tokens.some((t) => PEOPLE.test(t.norm)) || countEnd(p)) return false;
  const kind = kindOf(p);
  return kind === 'product' || kind === 'other' ? ownerOf(p) : null;
}

/**
 * The part of a name that names the organisation a failure hit: as for any organisation (organisationPart),
 * and never those who attacked ("Hackers", "a criminal gang"), whatever else their sentence says of them.
 */
export function impactedPart(s: Sentence, span: Span): Span | null | false {
  const titled = organisationPart(s, span);
  if (titled !== null) return titled;
  return CULPRITS.test(headOf(phraseAt(s, span)).norm) ? false : null;
}

/** A place or an event ("Marsh Valley", "Tessaly Cup") is no source the coverage cites, however it is named. */
export function referencePart(s: Sentence, span: Span): Span | null | false {
  const p = phraseAt(s, span);
  const head = headPast(p.tokens, p);
  return head.pos === 'PROPN' && PLACE_OR_EVENT.test(head.norm) ? false : null;
}

/**
 * The names of a sentence whose statement (attribution.ts) has `speaker` as its source. No name runs
 * from the statement into its attribution: "The Three Musketeers, the BBC reports" names two things.
 */
export function sightings(s: Sentence, { clause, speaker }: Statement, sx: Features): Sighting[] {
  const across = (p: Span, at: number) => p.start < at && p.end > at;
  const phrases = nounPhrases(s).filter(
    (p) => (p.proper > 0 || has(p.text, NAMING) === 1) && !(speaker && (across(p, clause.start) || across(p, clause.end))),
  );
  const isSpeaker = (p: Span) => !!speaker && p.start === speaker.start && p.end === speaker.end;
  if (speaker && !phrases.some(isSpeaker)) {
    const tokens = s.tokens.filter((t) => t.start >= speaker.start && t.end <= speaker.end);
    phrases.push({ ...speaker, tokens, proper: tokens.filter((t) => t.pos === 'PROPN').length, links: 0, inner: false });
  }
  return phrases.map((phrase) => ({ phrase, speaker: isSpeaker(phrase), s, sx }));
}

interface Coverage {
  mentions: number;
  articles: number;
  first: number;
  headline: number;
}

/** How much the coverage speaks of a name: sentences and articles naming it, where first, and in headlines. */
function coverage(p: Phrase, docs: readonly ArticleDoc[], lower: readonly string[][], headlines: readonly Set<string>[]): Coverage {
  const name = p.text.toLowerCase();
  let mentions = 0,
    articles = 0,
    first = Infinity;
  for (const ss of lower) {
    const at = ss.findIndex((t) => t.includes(name));
    if (at < 0) continue;
    articles++;
    first = Math.min(first, at);
    mentions += ss.filter((t) => t.includes(name)).length;
  }
  const words = contentWords(p.tokens);
  const headline = Math.max(0, ...headlines.map((h) => words.filter((w) => h.has(w)).length / Math.max(1, words.length)));
  return { mentions, articles: articles / Math.max(1, docs.length), first: Number.isFinite(first) ? first : 0, headline };
}

/**
 * What a name offers: what it is called (proper nouns, words for software, culprits, victims,
 * sources), how it is used in its sentence (as the source of a statement, its subject, after "by"),
 * how much the coverage speaks of it, and its sentence's features.
 */
function nameFeatures(n: Sighting, c: Coverage, salience: (t: Token) => number, voiced: boolean): Features {
  const { phrase: p, s } = n;
  const firstVerb = s.tokens.find((t) => t.pos === 'VERB' || t.pos === 'AUX');
  const before = s.tokens.filter((t) => t.end <= p.start).at(-1);
  const after = s.tokens.find((t) => t.start >= p.end);
  const head = headOf(p);
  const subject = firstVerb && p.end <= firstVerb.start ? 1 : 0;
  const f: Features = {
    'name.proper': p.proper > 0 ? 1 : 0,
    'name.properShare': p.proper / p.tokens.length,
    'name.words': Math.log(p.tokens.length),
    'name.links': p.links,
    'name.inner': p.inner ? 1 : 0,
    'name.number': p.tokens.some((t) => t.pos === 'NUM') ? 1 : 0,
    'name.software': has(p.text, SOFTWARE),
    'name.speaker': n.speaker ? 1 : 0,
    'name.subject': subject,
    // What kind of thing it names: organisations are proper names or bodies of people, the system a product.
    'name.headProper': head.pos === 'PROPN' ? 1 : 0,
    'name.orgHead': ORGANISATION.test(head.norm) ? 1 : 0,
    'name.orgWord': p.tokens.some((t) => ORGANISATION.test(t.norm)) ? 1 : 0,
    'name.productHead': PRODUCT.test(head.norm) ? 1 : 0,
    'name.allProper': p.tokens.every((t) => t.pos === 'PROPN' || t.pos === 'NUM' || t.kind === 'punctuation') ? 1 : 0,
    'name.startsAdj': p.tokens[0]!.pos === 'ADJ' ? 1 : 0,
    // The owner of something ("Toyota's recall"), or a thing with an owner ("Sony's PlayStation 3").
    'name.possessor': after && /^['’]s?$/.test(after.norm) && after.start === p.end ? 1 : 0,
    'name.possessed': p.tokens.some(possessive) ? 1 : 0,
    // The subject of a sentence reporting the failure: the one that failed, or that caused it.
    'name.failSubject': subject * (n.sx.failure ?? 0),
    'name.afterBy': before?.norm === 'by' ? 1 : 0,
    // "at Holloway Junction", "in Brooklyn": a proper name where something happened is likelier a place than a source.
    'name.place': before && p.proper > 0 && PLACE_BEFORE.test(before.norm) ? 1 : 0,
    // A name that speaks somewhere in the coverage is a source wherever else it is named.
    'name.voiced': voiced ? 1 : 0,
    'name.mentions': Math.log1p(c.mentions),
    'name.articles': c.articles,
    'name.first': Math.log1p(c.first),
    'name.headline': c.headline,
    // The most-reported proper name within the phrase ("Tesla" in "Tesla's official response"): the company
    // a story is about is named in most of its sentences, whatever phrase it sits in.
    'name.entity': Math.max(0, ...p.tokens.filter((t) => t.pos === 'PROPN').map(salience)),
  };
  for (const field of NAME_FIELDS) f[`name.cue.${field}`] = has(p.text, FIELD_CUES[field]);
  for (const [k, v] of Object.entries(n.sx)) f[`s.${k}`] = v;
  return f;
}

/** Each sighting's key and features; the coverage of a name is counted once, from its first sighting. */
export function nameFeaturesOf(
  all: readonly Sighting[],
  docs: readonly ArticleDoc[],
  headlines: readonly Set<string>[],
): { key: string; x: Features }[] {
  const lower = docs.map((d) => d.sentences.map((s) => s.text.toLowerCase()));
  const seen = new Map<string, Coverage>();
  const counts = new Map<string, number>();
  let total = 0;
  for (const d of docs)
    for (const s of d.sentences) {
      total++;
      for (const w of new Set(s.tokens.filter((t) => t.pos === 'PROPN').map((t) => t.norm))) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  const salience = (t: Token) => (counts.get(t.norm) ?? 0) / Math.max(1, total);
  const speakers = new Set(all.filter((n) => n.speaker).map((n) => nameKey(n.phrase.text)));
  return all.map((n) => {
    const key = nameKey(n.phrase.text);
    let c = seen.get(key);
    if (!c) seen.set(key, (c = coverage(n.phrase, docs, lower, headlines)));
    return { key, x: nameFeatures(n, c, salience, speakers.has(key)) };
  });
}
