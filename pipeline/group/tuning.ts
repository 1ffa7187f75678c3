import { z } from 'zod';
import TUNING_FILE from './tuning.json' with { type: 'json' };
import { hashOf } from '../text/hash.ts';

/**
 * How grouping decides (tuning.json). `method` changes the incidents, so its hash is part of every
 * grouping job's input hash; `askAhead` only changes how far ahead the same-incident calls are made.
 */
export const GroupingTuning = z.object({
  method: z.object({
    /** Below this TF-IDF similarity a candidate is not even put to the backend. */
    minCandidateSimilarity: z.number().min(0).max(1),
    /** Candidates taken from the index per article, most shared top terms first. */
    maxCandidates: z.number().int().positive(),
    /** Pairs put to the backend per article, most similar first. */
    maxQuestions: z.number().int().positive(),
    /**
     * Shared distinctive names count towards the similarity put to the backend: it rises by nameWeight times
     * how far the name overlap exceeds nameBaseline (and falls below it). Set on the training corpus (data/train):
     * it keeps apart similar failures at different organisations and joins inquiry reports published a year on.
     */
    nameWeight: z.number().min(0),
    nameBaseline: z.number().min(0).max(1),
    /** A name in more than this share of articles (a big company, a country) tells reports apart poorly. */
    distinctiveShare: z.number().min(0).max(1),
    /**
     * No incident spans more days than this: single links would otherwise chain similar stories of different
     * years into one. Above the longest incident of the training corpus (463 days: an inquiry's report).
     */
    maxSpanDays: z.number().positive(),
    /**
     * An article with fewer English stop words than this share of its words is in another language: its terms
     * are its names and numbers only (tfidf.ts). English news has 0.27 or more (Ko's lowest), Spanish 0.02–0.04.
     */
    namesOnlyBelowStopShare: z.number().min(0).max(1),
    /** Fewer words than this tell nothing of the language: such an article keeps all its terms. */
    namesOnlyMinWords: z.number().int().positive(),
  }),
  /** Articles whose same-incident questions are asked ahead of the one being decided. */
  askAhead: z.number().int().positive(),
});
export type GroupingTuning = z.infer<typeof GroupingTuning>;

export const TUNING: GroupingTuning = GroupingTuning.parse(TUNING_FILE);
export const GROUPING_METHOD = `pairs:${hashOf(TUNING.method)}`;
