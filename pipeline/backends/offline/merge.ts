import type { Citation, Fact } from '../../../schemas/index.ts';
import { contentWords } from '../../text/sentences.ts';
import type { Candidate } from './candidates.ts';
import { sentenceCitation } from './evidence.ts';
import type { FactField } from './fact-fields.ts';
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
const within = (a: ReadonlySet<string>, b: ReadonlySet<string>) => a.size > 0 && [...a].every((x) => b.has(x));

const words = new WeakMap<Option, Set<string>>();
function wordsOf(o: Option): Set<string> {
  let w = words.get(o);
  if (!w) {
    const span = o.c.spans[o.field]!;
    const own = contentWords(o.c.s.tokens.filter((t) => t.start >= span.start && t.end <= span.end));
    // A title says nothing of who is meant: "Mr Nolan" is within "Patrick Nolan".
    words.set(o, (w = new Set(o.c.kind === 'name' ? own.filter((x) => !HONORIFIC.test(x)) : own)));
  }
  return w;
}

/**
 * Do two options state one fact, so that the second only adds a citation? A name is the same as
 * another when it is the same name or its words are all in the other ("Galaxy S5" in "Samsung Galaxy
 * S5"); a clause when it shares SAME_FACT of its content words.
 */
export function sameFact(a: Option, b: Option): boolean {
  const wa = wordsOf(a),
    wb = wordsOf(b);
  return a.c.kind === 'name' ? a.c.key === b.c.key || within(wa, wb) || within(wb, wa) : jaccard(wa, wb) >= SAME_FACT;
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
  return groups
    .sort((a, b) => a.first.c.order - b.first.c.order)
    .map((g) => ({ text: g.citations.get(g.first.c.articleId)!.quote, citations: [...g.citations.values()] }));
}
