import type { Fact, Postmortem } from '../../../schemas/index.ts';
import { POSTMORTEM_FIELDS, emptyPostmortem } from '../../../schemas/index.ts';
import { FAILURE } from './cues.ts';
import { type ArticleDoc, matchSentence, sentenceCitation } from './evidence.ts';
import { candidateSentences } from './features.ts';
import { datedFacts } from './timeline.ts';
import { predict } from './logistic.ts';
import type { OfflineModel } from './model.ts';
import { MODEL } from './learned.ts';
import { TUNING } from './tuning.ts';

/** SAME_FACT: sentences sharing this much of their content words say the same thing: one fact, several citations. */
const { maxFacts: MAX_FACTS, sameFact: SAME_FACT, summarySentences } = TUNING.settings.extraction;

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
 * Postmortem facts as verbatim sentences. Per field, a learned model (model.ts) gives each sentence
 * the chance that it states one of the field's facts; the likeliest above the field's threshold are
 * kept, and sentences that say the same thing in several articles become one fact citing all of them.
 * The timeline also gets the calendar dates worked out from the articles' dates (timeline.ts).
 */
export function extractPostmortem(docs: readonly ArticleDoc[], model: OfflineModel = MODEL): Postmortem {
  const first = docs[0];
  const pm = emptyPostmortem(first ? cleanHeadline(first.article.headline) : 'Untitled incident');
  const lead = docs.flatMap((d) => d.sentences.slice(0, 4).filter((s) => matchSentence(s, FAILURE)).slice(0, 2));
  pm.summary = lead.slice(0, summarySentences).map((s) => s.text).join(' ');

  const candidates = candidateSentences(docs);
  for (const field of POSTMORTEM_FIELDS) {
    const m = model.adaptation?.extraction[field] ?? model.extraction[field];
    if (!m) throw new Error(`offline model has no extraction model for "${field}": re-learn it with failscope learn`);
    const ranked = candidates.map((c) => ({ c, p: predict(m, c.x) })).filter((r) => r.p >= m.threshold)
      .sort((a, b) => b.p - a.p || a.c.order - b.c.order);
    const facts: (Fact & { words: Set<string>; order: number })[] = [];
    for (const { c } of ranked) {
      const cite = sentenceCitation(c.articleId, c.s);
      const same = facts.find((f) => jaccard(f.words, c.words) >= SAME_FACT);
      if (same) {
        if (!same.citations.some((x) => x.articleId === c.articleId)) same.citations.push(cite);
        continue;
      }
      if (facts.length >= MAX_FACTS) continue;
      facts.push({ text: c.s.text, citations: [cite], words: c.words, order: c.order });
    }
    pm[field] = facts.sort((a, b) => a.order - b.order).map(({ text, citations }) => ({ text, citations }));
    // The calendar date comes first on the timeline; the sentences above say what happened when.
    if (field === 'time') pm.time = [...datedFacts(docs), ...pm.time];
  }
  return pm;
}
