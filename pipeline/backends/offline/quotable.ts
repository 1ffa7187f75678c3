import { type ArticleDoc, type Hit, countCues } from './evidence.ts';
import { STATING } from './cues.ts';
import { capitalisedWords } from '../../text/names.ts';
import { datedEarlier } from './features.ts';
import { TUNING } from './tuning.ts';

const BACKGROUND = new RegExp(TUNING.settings.extraction.background, 'i');
const GENERAL = new RegExp(TUNING.settings.taxonomy.notThisFailure, 'i');
const { leadSentences: LEAD, quoteLater } = TUNING.settings.taxonomy;
const LATER = new Set(quoteLater);

export type Quotable = (dimension: string, option: string, h: Hit) => boolean;

/**
 * Which evidence sentences a rationale may quote. Every cue hit counts in the option's score, but a quote
 * must state the option for this failure:
 * - it carries a cue that states the option, not only one that makes it likelier (lexicons.json
 *   `quote: false`: "a glitch" is no quote for a software fault, a design fault, an accident or a cause
 *   without people);
 * - for what caused the failure and how it behaved, it is among an article's opening sentences, where
 *   news says what happened. Later sentences carrying those cues supported their option in 14 of 82
 *   quotes on FAIL's dev split and 30 of 84 on the sample, by the majority of three judges
 *   (data/judgements), against 24 of 39 and 69 of 107 from the openings. What the system is, what the
 *   failure cost and whether it recurred (`taxonomy.quoteLater`) may be quoted from anywhere;
 * - it asserts the option ("could have exposed" and "no evidence of an attack" never do);
 * - it is no background on how things usually work ("Like many modern vehicles, …"), which extraction
 *   does not state as a fact either, and it does not speak of failures in general ("have for years
 *   demonstrated") or of the article itself ("contacted Samsung for comment");
 * - except as evidence that the failure recurred, it does not tell of another failure: dated a year or
 *   more before its article and naming nothing its headline names ("In 2011, one firmware vulnerability
 *   …" under "Top Wi-Fi routers easy to hack"). An article looking back at this failure names it ("the
 *   attempted hack of the Boston Children's Hospital … last year" under "… attempted cyberattack on
 *   Boston Children's").
 */
export function quotableIn(docs: readonly ArticleDoc[]): Quotable {
  const byId = new Map(
    docs.map((d) => [d.article.id, { published: d.article.published, names: new Set(capitalisedWords(d.article.headline)) }]),
  );
  const another = (h: Hit) => {
    const a = byId.get(h.articleId);
    return !!a && datedEarlier(h.sentence.text, a.published) && !capitalisedWords(h.sentence.text).some((n) => a.names.has(n));
  };
  return (dimension, option, h) =>
    h.polarity === 'asserted' &&
    (h.sentence.index < LEAD || LATER.has(dimension)) &&
    countCues(h.sentence, STATING[dimension]?.[option] ?? []) > 0 &&
    !BACKGROUND.test(h.sentence.text) &&
    !GENERAL.test(h.sentence.text) &&
    (dimension === 'recurring' || !another(h));
}
