import { type DimensionKey, type OptionKey, TAXONOMY } from '../../../schemas/index.ts';
import { MONTHS } from '../../text/dates.ts';
import { capitalisedWords } from '../../text/names.ts';
import type { Features } from './logistic.ts';
import { AGENTS, CAUSE, FAILURE, FIELD_CUES, GENERAL, IMPACT, LEXICONS, NON_REPORT, SOFTWARE, SOFTWARE_STRICT } from './cues.ts';
import { TUNING } from './tuning.ts';
import { type ArticleDoc, type Cue, type Hit, findEvidence, matchSentence, sentencesOf } from './evidence.ts';

/**
 * What the offline backend measures in a text, as named numbers for the learned models (model.ts):
 * cue evidence per taxonomy option, and screening signals per article. The cues come from the
 * taxonomy's definitions and general news vocabulary; which of them matter, and how much, is learned.
 */

export interface OptionEvidence {
  key: OptionKey;
  score: number;
  hits: Hit[];
  /** Headlines carrying the option's cues: not part of the text, so named in the rationale, not cited. */
  headHits: Hit[];
}
export type TaxonomyEvidence = Map<DimensionKey, OptionEvidence[]>;

const T = TUNING.settings.taxonomy;
/** Which sentences count: about the failure (its cause, its effects, the lead) or, for these dimensions, any. */
const ANY_SENTENCE = new Set(T.anySentence);

function aboutFailure(docs: readonly ArticleDoc[]): ArticleDoc[] {
  const about: Cue[] = [...FAILURE, ...CAUSE];
  return docs.map((d) => ({
    article: d.article,
    sentences: d.sentences.filter((s) => s.index < T.leadSentences || matchSentence(s, about)),
  }));
}

/** Cue evidence for every option of every dimension, summed with diminishing returns per sentence. */
export function taxonomyEvidence(docs: readonly ArticleDoc[]): TaxonomyEvidence {
  const headlines = docs.map((d) => ({
    article: d.article,
    sentences: [{ index: 0, start: 0, end: 0, text: d.article.headline, tokens: [] }],
  }));
  const failure = aboutFailure(docs);
  const out: TaxonomyEvidence = new Map();
  for (const dim of TAXONOMY) {
    const lex = LEXICONS[dim.key] ?? {};
    const pool = ANY_SENTENCE.has(dim.key) ? docs : failure;
    out.set(
      dim.key,
      dim.options.map((o) => {
        const cuesFor = lex[o.key] ?? [];
        const hits = findEvidence(pool, cuesFor)
          .filter((h) => h.weight > 0)
          .sort((a, b) => b.weight - a.weight);
        const headHits = findEvidence(headlines, cuesFor).filter((h) => h.weight > 0);
        // One long article cannot outvote the rest: each further sentence adds less. The headline names the
        // system and the event, so its evidence counts more than a body sentence.
        const score = hits.reduce((acc, h, i) => acc + h.weight / (1 + i * T.diminishing), 0) + headHits.length * T.headlineWeight;
        return { key: o.key, score, hits, headHits };
      }),
    );
  }
  return out;
}

/**
 * Who acted: sentences that tie people at the organisation, or attackers, to the cause. A failure
 * whose reports name nobody acting (a "technical glitch") reads as non-human.
 */
function agentFeatures(docs: readonly ArticleDoc[]): Features {
  const causal = docs.flatMap((d) => d.sentences.filter((s) => matchSentence(s, CAUSE)?.polarity === 'asserted'));
  const acted = (list: readonly Cue[]) => causal.filter((s) => (matchSentence(s, list)?.weight ?? 0) > 0).length;
  const staff = acted(AGENTS.staff),
    attacker = acted(AGENTS.attacker);
  return { 'agents.staff': Math.log1p(staff), 'agents.attacker': Math.log1p(attacker), 'agents.none': staff + attacker === 0 ? 1 : 0 };
}

const EARLIER = new RegExp(
  `\\b(?:last year|(?:a|two|three|several) years? (?:ago|earlier)|(?:in|since|during) (?:(?:${MONTHS.join('|')}) )?((?:19|20)\\d\\d))\\b`,
  'i',
);

/** A sentence dated a year or more before its article ("in 2019", "last year", "two years ago"). */
export function datedEarlier(text: string, published: string | null): boolean {
  const m = EARLIER.exec(text);
  const year = Number(published?.slice(0, 4)) || null;
  return !!m && !(m[1] && year !== null && Number(m[1]) >= year);
}

/**
 * Did it happen before? Failure sentences dated a year or more before the article report an earlier
 * failure; when they also name an organisation from the headline, it was the same organisation.
 */
function earlierFailureFeatures(docs: readonly ArticleDoc[]): Features {
  let earlier = 0,
    sameOrg = 0;
  for (const d of docs) {
    const headNames = new Set(capitalisedWords(d.article.headline));
    for (const s of d.sentences) {
      if (!datedEarlier(s.text, d.article.published)) continue;
      if (matchSentence(s, FAILURE)?.polarity !== 'asserted') continue;
      earlier++;
      if (capitalisedWords(s.text).some((n) => headNames.has(n))) sameOrg++;
    }
  }
  return { 'recurring.earlier': Math.log1p(earlier), 'recurring.earlierSameOrg': Math.log1p(sameOrg) };
}

/** `dim.option` → log evidence, who acted, and the size of the coverage, for every taxonomy model. */
export function taxonomyFeatures(ev: TaxonomyEvidence, docs: readonly ArticleDoc[]): Features {
  const f: Features = {
    'docs.articles': Math.log1p(docs.length),
    'docs.sentences': Math.log1p(docs.reduce((a, d) => a + d.sentences.length, 0)),
    ...agentFeatures(docs),
    ...earlierFailureFeatures(docs),
  };
  for (const [dim, options] of ev) for (const o of options) f[`${dim}.${o.key}`] = Math.log1p(o.score);
  return f;
}

/** Which way each screening signal may push: evidence of a failure report up, commentary cues down. */
export const SCREENING_SIGNS: Record<string, 1 | -1> = {
  head: 1,
  lead: 1,
  strong: 1,
  density: 1,
  events: 1,
  software: 1,
  causes: 1,
  impacts: 1,
  fixes: 1,
  hedged: -1,
  nonReport: -1,
  general: -1,
  softwareFailures: 1,
  softwareShare: 1,
  softwareHead: 1,
};

/**
 * Screening signals of one article; `screen.ts` turns them into decisions with the learned weights.
 * None grows with the article's length alone: the training texts are shorter than most news.
 */
export function screeningFeatures(doc: ArticleDoc): Features {
  const head = sentencesOf(doc.article.headline);
  const lead = doc.sentences.slice(0, 6);
  const sum = (ss: typeof lead, list: readonly Cue[]) => ss.reduce((acc, s) => acc + (matchSentence(s, list)?.weight ?? 0), 0);
  const count = (list: readonly Cue[], polarity?: string) =>
    doc.sentences.filter((s) => {
      const m = matchSentence(s, list);
      return m && m.weight > 0 && (!polarity || m.polarity === polarity);
    }).length;
  const strong = doc.sentences.filter((s) => (matchSentence(s, FAILURE)?.weight ?? 0) >= 3).length;
  const n = Math.max(1, doc.sentences.length);
  // A report places its failure in time ("on Monday", "last week"); commentary speaks in general.
  const events = doc.sentences.filter(
    (s) => matchSentence(s, FAILURE)?.polarity === 'asserted' && matchSentence(s, FIELD_CUES.time),
  ).length;
  // A software failure report says what failed in software terms in the same sentence as the failure; a train
  // crash, a recall for brakes or an essay on AI has failure words or software words, seldom both together.
  const failing = doc.sentences.filter((s) => matchSentence(s, FAILURE)?.polarity === 'asserted');
  const softwareFailures = failing.filter((s) => matchSentence(s, SOFTWARE_STRICT)).length;
  return {
    head: sum(head, FAILURE),
    lead: Math.log1p(sum(lead, FAILURE)),
    strong: Math.log1p(strong),
    density: strong / n,
    hedged: count(FAILURE, 'hedged') / n,
    events: Math.log1p(events),
    software: Math.log1p(count(SOFTWARE) + head.filter((s) => matchSentence(s, SOFTWARE)).length),
    nonReport: sum(head, NON_REPORT) + sum(lead.slice(0, 2), NON_REPORT),
    causes: Math.log1p(count(CAUSE, 'asserted')),
    impacts: Math.log1p(count(IMPACT, 'asserted')),
    // Someone restoring, fixing or apologising for something: it happened.
    fixes: Math.log1p(count(FIELD_CUES.fixes, 'asserted')),
    general: count(GENERAL) / n,
    softwareFailures: Math.log1p(softwareFailures),
    softwareShare: softwareFailures / Math.max(1, failing.length),
    softwareHead: head.some((s) => matchSentence(s, SOFTWARE_STRICT)) ? 1 : 0,
  };
}
