import { TAXONOMY, UNKNOWN, applies, normalizeOptions, type TaxonomyDimension } from '../../../schemas/index.ts';
import type { LabelDraft } from '../backend.ts';
import { LEXICONS } from './lexicons.ts';
import { CAUSE, FAILURE } from './cues.ts';
import { type ArticleDoc, type Hit, type Cue, findEvidence, matchSentence, sentenceCitation, strength } from './evidence.ts';
import CALIBRATION from './calibration.json' with { type: 'json' };

/**
 * How options of a dimension compete. `relative`: an option must reach this share of the leading
 * option's score; `max`: at most this many options (the industry a system serves is usually one).
 * `scope`: which sentences count: those about the failure (its cause, its effects) or any sentence.
 */
interface Policy { relative: number; max: number; scope: 'failure' | 'any' }
const DEFAULT: Policy = { relative: 0.1, max: 6, scope: 'failure' };
const POLICIES: Record<string, Partial<Policy>> = {
  domain: { relative: 0.75, max: 2, scope: 'any' },
  behaviour: { relative: 0.6, max: 2 },
  consequence: { relative: 0.45, max: 3 },
  // Permanent (under all conditions) and temporary (only under some) exclude each other by definition.
  duration: { max: 1 },
  cps: { scope: 'any' },
  recurring: { scope: 'any' },
};
const policy = (dim: string): Policy => ({ ...DEFAULT, ...POLICIES[dim] });

const MIN_SCORE = 1;

/**
 * Confidence as the chance of being right, learned on the project sample (evals/learn-calibration.ts):
 * the dimension's track record, and the Platt-scaled strength of this label's own evidence.
 */
let calibrate = true;
const calibrated = (dim: string, raw: number) => {
  if (!calibrate) return raw;
  const { a, b } = CALIBRATION.platt;
  const record = (CALIBRATION.dimensions as Record<string, number>)[dim] ?? 0.5;
  return Number(((record + 1 / (1 + Math.exp(-(a * raw + b)))) / 2).toFixed(3));
};
/** Runs `fn` with calibration off, so the calibration itself can be learned from raw scores. */
export function rawConfidences<T>(fn: () => T): T {
  calibrate = false;
  try { return fn(); } finally { calibrate = true; }
}
const CITES_PER_OPTION = 2;
/** The headline names the system and the event; its evidence counts more than a body sentence. */
const HEADLINE_WEIGHT = 2;

interface OptionEvidence {
  key: string;
  score: number;
  hits: Hit[];
  /** Headlines carrying the option's cues: not part of the text, so named in the rationale, not cited. */
  headHits: Hit[];
}

/** Sentences about the failure: those with a failure or cause cue, and the article's lead. */
function scoped(docs: readonly ArticleDoc[], scope: Policy['scope']): ArticleDoc[] {
  if (scope === 'any') return [...docs];
  const about: Cue[] = [...FAILURE, ...CAUSE];
  return docs.map((d) => ({ article: d.article, sentences: d.sentences.filter((s) => s.index < 3 || matchSentence(s, about)) }));
}

/** Sums evidence with diminishing returns per sentence, so one long article cannot outvote the rest. */
function optionEvidence(docs: readonly ArticleDoc[], dim: TaxonomyDimension, headlines: readonly ArticleDoc[]): OptionEvidence[] {
  const lex = LEXICONS[dim.key] ?? {};
  const pool = scoped(docs, policy(dim.key).scope);
  return dim.options.map((o) => {
    const cuesFor = lex[o.key] ?? [];
    const hits = findEvidence(pool, cuesFor).filter((h) => h.weight > 0).sort((a, b) => b.weight - a.weight);
    const headHits = findEvidence(headlines, cuesFor).filter((h) => h.weight > 0);
    const score = hits.reduce((acc, h, i) => acc + h.weight / (1 + i * 0.5), 0) + headHits.length * HEADLINE_WEIGHT;
    return { key: o.key, score, hits, headHits };
  });
}

const quoteRef = (h: Hit) => `[Article ${h.articleId}] "${h.sentence.text.length > 160 ? `${h.sentence.text.slice(0, 157)}...` : h.sentence.text}"`;

type Decision = { options: string[]; confidence: number };

const NONE: Decision = { options: [UNKNOWN], confidence: 0.3 };

function decide(dim: TaxonomyDimension, ev: OptionEvidence[]): Decision {
  const best = Math.max(0, ...ev.map((e) => e.score));
  if (dim.kind === 'boolean') {
    const yes = ev.find((e) => e.key === 'true')?.score ?? 0;
    const no = ev.find((e) => e.key === 'false')?.score ?? 0;
    if (yes < MIN_SCORE && no < MIN_SCORE) return NONE;
    const choice = yes >= no * 0.8 && yes >= MIN_SCORE ? 'true' : 'false';
    return { options: [choice], confidence: Number((0.5 + strength(Math.abs(yes - no) + 0.5, 4) / 2).toFixed(3)) };
  }
  const p = policy(dim.key);
  const chosen = ev.filter((e) => e.score >= MIN_SCORE && e.score >= best * p.relative).sort((a, b) => b.score - a.score).slice(0, p.max);
  if (chosen.length === 0) return NONE;
  const weakest = Math.min(...chosen.map((e) => e.score));
  const margin = chosen.length < ev.length ? weakest - Math.max(0, ...ev.filter((e) => !chosen.includes(e)).map((e) => e.score)) : weakest;
  return { options: chosen.map((e) => e.key), confidence: Number((0.35 + 0.6 * strength(Math.max(0, margin) + weakest / 2, 3)).toFixed(3)) };
}

/**
 * Labels every taxonomy dimension from cue evidence. The rationale names the evidence sentences per
 * chosen option; with no evidence the label is `unknown`. IoT layers are only labelled for a
 * cyber-physical system.
 */
export function classifyDocs(docs: readonly ArticleDoc[]): LabelDraft[] {
  const headlines = docs.map((d) => ({ article: d.article, sentences: [{ index: 0, start: 0, end: 0, text: d.article.headline, tokens: [] }] }));
  const labels: LabelDraft[] = [];
  let cps: string[] = [UNKNOWN];
  for (const dim of TAXONOMY) {
    if (!applies(dim.key, cps)) continue;
    const ev = optionEvidence(docs, dim, headlines);
    const d = decide(dim, ev);
    const options = normalizeOptions(dim.key, d.options);
    if (dim.key === 'cps') cps = options;
    const used = ev.filter((e) => options.includes(e.key) && e.hits.length > 0);
    const fromHeadlines = ev.filter((e) => options.includes(e.key) && e.hits.length === 0 && e.headHits.length > 0);
    const rationale = used.length === 0 && fromHeadlines.length === 0
        ? `No sentence in the articles carries evidence for any ${dim.title} option, so the label is unknown.`
        : [...used.map((e) => `${e.key}: ${e.hits.length} supporting sentence(s), e.g. ${e.hits.slice(0, CITES_PER_OPTION).map(quoteRef).join('; ')}`),
          ...fromHeadlines.map((e) => `${e.key}: from the headline(s) ${e.headHits.slice(0, CITES_PER_OPTION).map(quoteRef).join('; ')}`)].join(' ');
    const seen = new Set<string>();
    const citations = used.flatMap((e) => e.hits.slice(0, CITES_PER_OPTION))
      .filter((h) => { const k = `${h.articleId}:${h.sentence.start}`; if (seen.has(k)) return false; seen.add(k); return true; })
      .map((h) => sentenceCitation(h.articleId, h.sentence));
    labels.push({ dimension: dim.key, options, rationale, confidence: calibrated(dim.key, d.confidence), citations });
  }
  return labels;
}
