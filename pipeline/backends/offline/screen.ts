import type { Screening } from '../../../schemas/index.ts';
import type { ArticleDoc } from './evidence.ts';
import { matchSentence, strength } from './evidence.ts';
import { CAUSE, FAILURE, FIELD_CUES, IMPACT, NON_REPORT, SOFTWARE } from './cues.ts';
import { splitSentences } from '../../text/sentences.ts';

/**
 * Is this a report of a software failure? Failure words in the headline and lead weigh most, because
 * a news report puts what happened first; a feature that mentions one glitch in passing scores low.
 * Analysable means the article also names a cause and an impact.
 */
/** Chosen on the project sample (data/sample) for recall: missing a failure costs more than a false alarm. */
const THRESHOLD = 5.5;

export function screenDoc(doc: ArticleDoc): Screening {
  const head = splitSentences(doc.article.headline);
  const lead = doc.sentences.slice(0, 6);
  const sum = (ss: typeof lead, list: typeof FAILURE) => ss.reduce((acc, s) => acc + (matchSentence(s, list)?.weight ?? 0), 0);
  const headScore = sum(head, FAILURE);
  const leadScore = sum(lead, FAILURE);
  const strong = doc.sentences.filter((s) => (matchSentence(s, FAILURE)?.weight ?? 0) >= 3).length;
  const density = strong / Math.max(1, doc.sentences.length);
  const software = doc.sentences.filter((s) => matchSentence(s, SOFTWARE)).length + head.filter((s) => matchSentence(s, SOFTWARE)).length;
  const nonReport = sum(head, NON_REPORT) + sum(lead.slice(0, 2), NON_REPORT);

  // A report places its failure in time ("on Monday", "last week"); commentary speaks in general.
  const events = doc.sentences.filter((s) => matchSentence(s, FAILURE)?.polarity === 'asserted' && matchSentence(s, FIELD_CUES.time)).length;
  const score = 0.5 * Math.min(events, 5) + headScore * 1.2 + leadScore * 0.6 + density * 20 + Math.min(strong, 8) * 0.5 - nonReport * 2;
  const isFailure = software >= 2 && score >= THRESHOLD;
  const causes = doc.sentences.filter((s) => matchSentence(s, CAUSE)?.polarity === 'asserted').length;
  const impacts = doc.sentences.filter((s) => matchSentence(s, IMPACT)?.polarity === 'asserted').length;
  const analyzable = isFailure && causes >= 1 && impacts >= 1 && doc.sentences.length >= 5;
  const confidence = isFailure ? 0.5 + strength(score - THRESHOLD + 1, 6) / 2 : 0.5 + strength(Math.max(0, THRESHOLD - score) + (software < 2 ? 3 : 0), 6) / 2;
  return {
    isFailure,
    analyzable,
    confidence: Number(confidence.toFixed(3)),
    rationale: `failure cues: headline ${headScore.toFixed(1)}, lead ${leadScore.toFixed(1)}, ${strong} strong sentences of ${doc.sentences.length}; `
      + `software context ${software}; cause sentences ${causes}; impact sentences ${impacts}${nonReport ? `; non-report cues ${nonReport}` : ''}.`,
  };
}
