import type { Article, PrefilterConfig, Screening } from '../../../schemas/index.ts';
import type { SameIncidentVerdict } from '../backend.ts';
import { daysBetween } from '../../text/dates.ts';
import { hashOf } from '../../text/hash.ts';
import { readArticle, readable } from '../offline/evidence.ts';
import { sameIncidentThreshold } from '../offline/index.ts';
import { type LoadedModel, loadModel } from '../offline/learned.ts';
import { screeningOdds } from '../offline/screen.ts';
import { TUNING } from '../offline/tuning.ts';

const SETTLED = 'Settled by the offline pre-filter, without a model call';

/**
 * The offline backend in front of the model: a decision it is confident of is settled without a call.
 * Screening reads the offline model's P(failure report); same-incident decisions, how far the similarity
 * lies from the offline backend's date-aware threshold. Thresholds are openai.prefilter in the config.
 */
export class Prefilter {
  readonly model: LoadedModel;

  constructor(
    readonly config: PrefilterConfig,
    modelFile: string | null,
  ) {
    this.model = loadModel(modelFile ?? undefined);
  }

  /** What settled answers depend on: part of the screen and group prompt hashes, so a change re-runs those jobs. */
  hash(task: 'screen' | 'group'): string {
    return hashOf(task === 'screen' ? [this.config.screen, this.model.hash] : [this.config.sameIncident, TUNING.settings.grouping]);
  }

  /**
   * The article's screening when the offline model is sure enough, else null; `score` is its P(failure report).
   * An article the offline backend cannot read (another language) always goes to the model, which can.
   */
  screen(article: Article): { settled: Screening | null; score: number } {
    const doc = readArticle(article);
    const { pFailure, pAnalyzable, am } = screeningOdds(doc, this.model.model);
    if (!readable(doc)) return { score: pFailure, settled: null };
    const { reject, accept } = this.config.screen;
    const odds = `P(failure report) ${pFailure.toFixed(3)}`;
    if (reject !== null && pFailure < reject) {
      return {
        score: pFailure,
        settled: {
          isFailure: false,
          analyzable: false,
          confidence: round(1 - pFailure),
          rationale: `${SETTLED}: ${odds} is below ${reject}.`,
        },
      };
    }
    if (accept !== null && pFailure >= accept) {
      const analyzable = pAnalyzable >= am.threshold;
      return {
        score: pFailure,
        settled: {
          isFailure: true,
          analyzable,
          confidence: round(pFailure),
          rationale: `${SETTLED}: ${odds} is at least ${accept}; P(analyzable) ${pAnalyzable.toFixed(3)} against ${am.threshold.toFixed(2)}.`,
        },
      };
    }
    return { score: pFailure, settled: null };
  }

  private readableCache = new Map<string, boolean>();
  /** Read once per article text: an incident's members are asked about again with every new candidate. */
  private readable(a: Article): boolean {
    const key = `${a.id}\u0000${a.contentHash}`;
    let r = this.readableCache.get(key);
    if (r === undefined) this.readableCache.set(key, (r = readable(readArticle(a))));
    return r;
  }

  /**
   * The offline verdict when the similarity lies far enough from its threshold (days to the incident's nearest
   * article), else null. Not for an article in another language, nor about an incident holding one: the offline
   * similarity reads only names there (group/tfidf.ts), the model reads the whole text.
   */
  sameIncident(article: Article, members: readonly Article[], similarity: number): SameIncidentVerdict | null {
    const { join, apart } = this.config.sameIncident;
    if (join === null && apart === null) return null;
    if (![article, ...members].every((a) => this.readable(a))) return null;
    const gaps = members.map((m) => daysBetween(article.published, m.published)).filter((d): d is number => d !== null);
    const margin = similarity - sameIncidentThreshold(gaps.length ? Math.min(...gaps) : null);
    if (join !== null && margin >= join) return { same: true, confidence: round(Math.min(1, 0.5 + margin)) };
    if (apart !== null && margin <= -apart) return { same: false, confidence: round(Math.min(1, 0.5 - margin)) };
    return null;
  }
}

const round = (x: number) => Number(x.toFixed(3));
