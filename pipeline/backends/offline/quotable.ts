import type { ArticleDoc, Hit } from './evidence.ts';
import { capitalisedWords } from '../../text/names.ts';
import { datedEarlier } from './features.ts';
import { TUNING } from './tuning.ts';

const BACKGROUND = new RegExp(TUNING.settings.extraction.background, 'i');
const GENERAL = new RegExp(TUNING.settings.taxonomy.notThisFailure, 'i');

export type Quotable = (dimension: string, h: Hit) => boolean;

/**
 * Which evidence sentences a rationale may quote. Every cue hit counts in the option's score, but a quote
 * must speak for this failure: it asserts the option ("could have exposed" and "no evidence of an attack"
 * never do); it is no background on how things usually work ("Like many modern vehicles, …"), which
 * extraction does not state as a fact either; it does not speak of failures in general ("have for years
 * demonstrated") or of the article itself ("contacted Samsung for comment"); and, except as evidence
 * that the failure recurred, it does not tell of another failure: dated a year or more before its
 * article and naming nothing its headline names ("In 2011, one firmware vulnerability …" under "Top
 * Wi-Fi routers easy to hack"). An article looking back at this failure names it ("the attempted hack of
 * the Boston Children's Hospital … last year" under "… attempted cyberattack on Boston Children's").
 */
export function quotableIn(docs: readonly ArticleDoc[]): Quotable {
  const byId = new Map(
    docs.map((d) => [d.article.id, { published: d.article.published, names: new Set(capitalisedWords(d.article.headline)) }]),
  );
  const another = (h: Hit) => {
    const a = byId.get(h.articleId);
    return !!a && datedEarlier(h.sentence.text, a.published) && !capitalisedWords(h.sentence.text).some((n) => a.names.has(n));
  };
  return (dimension, h) =>
    h.polarity === 'asserted' &&
    !BACKGROUND.test(h.sentence.text) &&
    !GENERAL.test(h.sentence.text) &&
    (dimension === 'recurring' || !another(h));
}
