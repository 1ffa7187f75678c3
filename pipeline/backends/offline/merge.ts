import type { Citation, Fact } from '../../../schemas/index.ts';
import { contentWords } from '../../text/sentences.ts';
import type { Candidate } from './candidates.ts';
import { sentenceCitation } from './evidence.ts';
import type { FactField } from './fact-fields.ts';
import { possessive } from './phrases.ts';
import { TUNING } from './tuning.ts';

/** SAME_FACT: clauses sharing this much of their content words state the same fact. */
const { sameFact: SAME_FACT } = TUNING.settings.extraction;
const HONORIFIC = new RegExp(`^(?:${TUNING.settings.extraction.honorifics})\\.?$`, 'i');

/** A candidate the field's model would keep: its probability, and by how much it clears the threshold (log-odds). */
export interface Option {
  c: Candidate;
  field: FactField;
  p: number;
  margin: number;
}

const jaccard = (a: ReadonlySet<string>, b: ReadonlySet<string>) => {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / Math.max(1, a.size + b.size - inter);
};
/** `run` as consecutive words of `words`. */
const runIn = (run: readonly string[], words: readonly string[]) => words.some((_w, i) => run.every((x, j) => words[i + j] === x));

interface Words {
  words: string[];
  /** A name's runs of proper nouns: each one name ("Eastmere Rail"), which another name must hold whole. */
  runs: string[][];
}
const cache = new WeakMap<Option, Words>();

/** Content words of an option's span; in a name, not its titles ("Mr Nolan" is Patrick Nolan) nor possessives. */
function wordsOf(o: Option): Words {
  let w = cache.get(o);
  if (w) return w;
  const span = o.c.spans[o.field]!;
  w = { words: [], runs: [] };
  let run: string[] = [];
  for (const t of o.c.s.tokens) {
    if (t.start < span.start || t.end > span.end) continue;
    const [word] = contentWords([t]);
    if (o.c.kind === 'name' && word && (HONORIFIC.test(word) || possessive(t))) continue;
    if (word) w.words.push(word);
    if (word && t.pos === 'PROPN') run.push(word);
    else if (run.length) {
      w.runs.push(run);
      run = [];
    }
  }
  if (run.length) w.runs.push(run);
  cache.set(o, w);
  return w;
}

/** `a` names what `b` names at more length: all its words are `b`'s, its proper names whole ("Galaxy S5" in "Samsung Galaxy S5"). */
function within(a: Words, b: Words): boolean {
  const wb = new Set(b.words);
  return a.words.length > 0 && a.words.every((x) => wb.has(x)) && a.runs.every((r) => runIn(r, b.words));
}

/** Does name `b` name what name `a` names, at more length ("reset procedure at Holloway Junction" of "Holloway Junction")? */
export const namesMore = (a: Option, b: Option): boolean => a.c.kind === 'name' && within(wordsOf(a), wordsOf(b));

/**
 * Do two options state one fact, so that the second only adds a citation? A name is the same as
 * another when it is the same name or names it at more or less length: "Galaxy S5" and "Samsung Galaxy
 * S5", "homeware retailer Harbor & Finch" and "Harbor & Finch, the homeware retailer", but not "Eastmere
 * Rail" and "Passenger group Rail Users Eastmere". A clause is the same when it shares SAME_FACT of its
 * content words: syndicated copies of a story reword a sentence a little ("the software must send
 * commands to a computer server used by the manufacturer" in two outlets' words), and at 0.6 they took
 * two of a field's places. At 0.4 they are one fact citing both, and the freed place goes to the next
 * fact (on FAIL's dev split, cross-fitted, fact recall 0.454 → 0.457 and precision 0.359 → 0.361; the
 * sample's records are unchanged).
 */
export function sameFact(a: Option, b: Option): boolean {
  const wa = wordsOf(a),
    wb = wordsOf(b);
  if (a.c.kind !== 'name') return jaccard(new Set(wa.words), new Set(wb.words)) >= SAME_FACT;
  return a.c.key === b.c.key || within(wa, wb) || within(wb, wa);
}

/**
 * One field's facts from its kept options, likeliest first, at most `max`: what several articles (or
 * sentences) say alike is one fact citing each article once.
 */
export function mergeFacts(options: readonly Option[], max: number): Fact[] {
  const ranked = [...options].sort((a, b) => b.p - a.p || a.c.order - b.c.order);
  const groups: { first: Option; citations: Map<string, Citation> }[] = [];
  for (const o of ranked) {
    const same = groups.find((g) => sameFact(g.first, o));
    const cite = sentenceCitation(o.c.articleId, o.c.spans[o.field]!);
    if (same) {
      if (!same.citations.has(o.c.articleId)) same.citations.set(o.c.articleId, cite);
      continue;
    }
    if (groups.length >= max) continue;
    groups.push({ first: o, citations: new Map([[o.c.articleId, cite]]) });
  }
  // The quote stays verbatim in its citation; the fact reads as one line ("the 27th  Chaos Communication\nConference").
  const oneLine = (g: (typeof groups)[number]) => g.citations.get(g.first.c.articleId)!.quote.replace(/\s+/g, ' ');
  return groups.sort((a, b) => a.first.c.order - b.first.c.order).map((g) => ({ text: oneLine(g), citations: [...g.citations.values()] }));
}
