import type { Article, Incident, Postmortem, Screening } from '../../../schemas/index.ts';
import type { Backend, LabelDraft, SameIncidentVerdict, Task } from '../backend.ts';
import { hashOf } from '../../text/hash.ts';
import { daysBetween } from '../../text/dates.ts';
import { readArticle } from './evidence.ts';
import { screenDoc } from './screen.ts';
import { extractPostmortem } from './extract.ts';
import { classifyDocs } from './classify.ts';
import { CAUSE, FAILURE, FIELD_CUES, GENERAL, IMPACT, NON_REPORT, SOFTWARE } from './cues.ts';
import { LEXICONS } from './lexicons.ts';
import { screeningFeatures, sentenceFeatures, taxonomyEvidence, taxonomyFeatures } from './features.ts';
import { MODEL } from './learned.ts';

/**
 * Same-incident threshold by days between the article and the nearest article of the incident. It
 * rises with the logarithm of the gap: follow-ups days apart may share few words, while a story a year
 * later must be much closer to count as the same incident (a second breach at one company is a new one).
 */
export function sameIncidentThreshold(days: number | null): number {
  if (days === null) return 0.25;
  // The log curve alone asks only 0.27 a year on, which any later story about the same company and topic
  // reaches. News coverage of one failure comes within months; ten months on, a similar story is a recurrence.
  if (days > 300) return 0.5;
  return Math.min(0.5, 0.12 + 0.06 * Math.log10(1 + days));
}

const METHOD_VERSION = 'offline-2';
const cueSource = (v: unknown) => JSON.stringify(v, (_k, x) => (x instanceof RegExp ? x.source : x));

/** Deterministic, network-free backend: cue lexicons, TF-IDF and verbatim sentences. */
export class OfflineBackend implements Backend {
  readonly name = 'offline';
  readonly model: string;
  private readonly hashes: Record<Task, string>;

  constructor(model = 'lexicon-v1') {
    this.model = model;
    this.hashes = {
      screen: hashOf([METHOD_VERSION, cueSource({ FAILURE, SOFTWARE, CAUSE, IMPACT, NON_REPORT, GENERAL }), screenDoc.toString(), screeningFeatures.toString(), MODEL.screening]),
      group: hashOf([METHOD_VERSION, sameIncidentThreshold.toString()]),
      extract: hashOf([METHOD_VERSION, cueSource(FIELD_CUES), extractPostmortem.toString(), sentenceFeatures.toString(), MODEL.extraction]),
      classify: hashOf([METHOD_VERSION, cueSource(LEXICONS), classifyDocs.toString(), taxonomyEvidence.toString(), taxonomyFeatures.toString(), MODEL.taxonomy, MODEL.calibration]),
    };
  }

  promptHash(task: Task): string {
    return this.hashes[task];
  }

  schemaHash(): null {
    return null;
  }

  async screen(article: Article): Promise<Screening> {
    return screenDoc(readArticle(article));
  }

  async sameIncident(article: Article, incidentArticles: Article[], similarity: number): Promise<SameIncidentVerdict> {
    const gaps = incidentArticles.map((a) => daysBetween(article.published, a.published)).filter((d): d is number => d !== null);
    const days = gaps.length ? Math.min(...gaps) : null;
    const threshold = sameIncidentThreshold(days);
    return { same: similarity >= threshold, confidence: Math.min(1, Math.abs(similarity - threshold) * 2 + 0.5) };
  }

  async extract(_incident: Incident, articles: Article[]): Promise<Postmortem> {
    return extractPostmortem(articles.map(readArticle));
  }

  async classify(_incident: Incident, articles: Article[]): Promise<LabelDraft[]> {
    return classifyDocs(articles.map(readArticle));
  }
}
