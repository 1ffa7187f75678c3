import type { Citation, Fact } from '../../../schemas/index.ts';
import { contentWords } from '../../text/sentences.ts';
import type { Option } from './assign.ts';
import { sentenceCitation } from './evidence.ts';
import { TUNING } from './tuning.ts';

/** SAME_FACT: clauses sharing this much of their content words state the same fact. */
const { sameFact: SAME_FACT } = TUNING.settings.extraction;

const jaccard = (a: ReadonlySet<string>, b: ReadonlySet<string>) => {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / Math.max(1, a.size + b.size - inter);
};
const within = (a: ReadonlySet<string>, b: ReadonlySet<string>) => a.size > 0 && [...a].every((x) => b.has(x));

interface Group {
  text: string;
  words: Set<string>;
  key: string;
  order: number;
  citations: Map<string, Citation>;
}

function wordsOf(o: Option): Set<string> {
  const span = o.c.spans[o.field]!;
  return new Set(contentWords(o.c.s.tokens.filter((t) => t.start >= span.start && t.end <= span.end)));
}

/**
 * One field's facts from its kept options, likeliest first, at most `max`: what several articles (or
 * sentences) say alike is one fact citing each article once. A name is the same as another when it is
 * the same name or its words are all in the other ("Galaxy S5" in "Samsung Galaxy S5"); a clause when
 * it shares SAME_FACT of its content words.
 */
export function mergeFacts(options: readonly Option[], max: number): Fact[] {
  const ranked = [...options].sort((a, b) => b.p - a.p || a.c.order - b.c.order);
  const groups: Group[] = [];
  for (const o of ranked) {
    const words = wordsOf(o);
    const same = groups.find((g) =>
      o.c.kind === 'name' ? g.key === o.c.key || within(words, g.words) || within(g.words, words) : jaccard(g.words, words) >= SAME_FACT,
    );
    const cite = sentenceCitation(o.c.articleId, o.c.spans[o.field]!);
    if (same) {
      if (!same.citations.has(o.c.articleId)) same.citations.set(o.c.articleId, cite);
      continue;
    }
    if (groups.length >= max) continue;
    groups.push({ text: cite.quote, words, key: o.c.key, order: o.c.order, citations: new Map([[o.c.articleId, cite]]) });
  }
  return groups.sort((a, b) => a.order - b.order).map((g) => ({ text: g.text, citations: [...g.citations.values()] }));
}
