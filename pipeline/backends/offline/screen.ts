import type { Screening } from '../../../schemas/index.ts';
import { type ArticleDoc, readable } from './evidence.ts';
import { screeningFeatures } from './features.ts';
import { predict } from './logistic.ts';
import type { OfflineModel } from './model.ts';
import { MODEL } from './learned.ts';

/**
 * Is this a report of a software failure, and can it be analysed? Both are learned from the
 * screening signals (features.ts: failure words in headline and lead, failures placed in time,
 * software context, cause, impact and fix sentences, commentary cues); the learned weights decide
 * which of them count. The failure threshold was set on the training set for recall: missing a
 * failure costs more than a false alarm, which later stages and review can still drop. The rationale
 * lists every signal's value, so a reviewer can see why. For the same reason an article the backend
 * cannot read (another language) is passed on, saying so, rather than judged by cues it does not carry.
 */
export function screenDoc(doc: ArticleDoc, model: OfflineModel = MODEL): Screening {
  if (!readable(doc)) {
    return {
      isFailure: true,
      analyzable: true,
      confidence: 0.5,
      rationale:
        'Not in English: the offline screen reads English cues only, so it cannot judge this article. Passed on as a possible failure report for grouping and review.',
    };
  }
  const { f, pFailure, pAnalyzable, fm, am } = screeningOdds(doc, model);
  const isFailure = pFailure >= fm.threshold;
  const analyzable = isFailure && pAnalyzable >= am.threshold;
  const shown = (k: string) => `${k} ${f[k]!.toFixed(2)}`;
  return {
    isFailure,
    analyzable,
    confidence: Number((isFailure ? pFailure : 1 - pFailure).toFixed(3)),
    rationale:
      `P(failure report) ${pFailure.toFixed(2)} against threshold ${fm.threshold.toFixed(2)}; P(analyzable) ${pAnalyzable.toFixed(2)}; ` +
      `signals: ${Object.keys(f).map(shown).join(', ')}.`,
  };
}

/** The screening signals, both probabilities and the models they come from (refitted on the user's labels when the model was adapted to them). */
export function screeningOdds(doc: ArticleDoc, model: OfflineModel = MODEL) {
  const f = screeningFeatures(doc);
  const { isFailure: fm, analyzable: am } = model.adaptation?.screening ?? model.screening;
  return { f, pFailure: predict(fm, f), pAnalyzable: predict(am, f), fm, am };
}
