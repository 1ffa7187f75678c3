import type { Citation, Fact, Postmortem } from '../../../schemas/index.ts';
import { POSTMORTEM_FIELDS, emptyPostmortem } from '../../../schemas/index.ts';
import type { Sentence } from '../../text/sentences.ts';
import { contentWords } from '../../text/sentences.ts';
import { FAILURE, FIELD_CUES } from './cues.ts';
import { type ArticleDoc, type Cue, matchSentence, sentenceCitation } from './evidence.ts';

const MAX_FACTS = 8;

function cueCount(s: Sentence, list: readonly Cue[]): number {
  let n = 0;
  for (const c of list) if (c.re.test(s.text)) n++;
  return n;
}

const jaccard = (a: Set<string>, b: Set<string>) => {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / Math.max(1, a.size + b.size - inter);
};

/** Headline without the outlet suffix that syndication adds (" - Outlet", " | Outlet"). */
export function cleanHeadline(h: string): string {
  return h.replace(/\s+[-|–—]\s+[^-|–—]{2,40}$/, '').trim();
}

/**
 * Postmortem facts as verbatim sentences. Each field takes the sentences that carry its cues and also
 * read as part of the failure story; sentences that say the same thing in several articles become one
 * fact citing all of them.
 */
export function extractPostmortem(docs: readonly ArticleDoc[]): Postmortem {
  const first = docs[0];
  const pm = emptyPostmortem(first ? cleanHeadline(first.article.headline) : 'Untitled incident');
  const lead = docs.flatMap((d) => d.sentences.slice(0, 4).filter((s) => matchSentence(s, FAILURE)).slice(0, 2));
  pm.summary = lead.slice(0, 3).map((s) => s.text).join(' ');

  for (const field of POSTMORTEM_FIELDS) {
    const scored: { s: Sentence; articleId: string; score: number; words: Set<string>; order: number }[] = [];
    docs.forEach((d, di) => d.sentences.forEach((s) => {
      const hits = cueCount(s, FIELD_CUES[field]);
      if (hits === 0 || s.text.length < 25 || s.text.length > 600) return;
      const failure = matchSentence(s, FAILURE);
      const relevance = failure && failure.polarity !== 'negated' ? 1 : 0;
      // Any sentence with a field cue is a candidate; the ranking puts those about the failure first.
      const score = hits + relevance + (s.index < 5 ? 0.5 : 0);
      scored.push({ s, articleId: d.article.id, score, words: new Set(contentWords(s.tokens)), order: di * 10_000 + s.index });
    }));
    scored.sort((a, b) => b.score - a.score || a.order - b.order);
    const facts: (Fact & { words: Set<string>; order: number })[] = [];
    for (const c of scored) {
      const cite: Citation = sentenceCitation(c.articleId, c.s);
      const same = facts.find((f) => jaccard(f.words, c.words) >= 0.6);
      if (same) {
        if (!same.citations.some((x) => x.articleId === c.articleId)) same.citations.push(cite);
        continue;
      }
      if (facts.length >= MAX_FACTS) continue;
      facts.push({ text: c.s.text, citations: [cite], words: c.words, order: c.order });
    }
    pm[field] = facts.sort((a, b) => a.order - b.order).map(({ text, citations }) => ({ text, citations }));
  }
  return pm;
}
