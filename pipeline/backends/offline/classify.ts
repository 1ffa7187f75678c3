import { TAXONOMY, UNKNOWN, applies, normalizeOptions, type TaxonomyDimension } from '../../../schemas/index.ts';
import type { LabelDraft } from '../backend.ts';
import { LEXICONS } from './lexicons.ts';
import { CAUSE, FAILURE } from './cues.ts';
import { type ArticleDoc, type Hit, type Cue, findEvidence, matchSentence, sentenceCitation, strength } from './evidence.ts';
import PRIORS from './priors.json' with { type: 'json' };

/**
 * How options of a dimension compete. `relative`: an option must reach this share of the leading
 * option's score; `max`: at most this many options (the industry a system serves is usually one).
 * `scope`: which sentences count: those about the failure (its cause, its effects) or any sentence.
 */
interface Policy { relative: number; max: number; scope: 'failure' | 'any' }
const DEFAULT: Policy = { relative: 0.34, max: 6, scope: 'failure' };
const POLICIES: Record<string, Partial<Policy>> = {
  domain: { relative: 0.75, max: 2, scope: 'any' },
  behaviour: { relative: 0.6, max: 2 },
  consequence: { relative: 0.45, max: 3 },
  cps: { scope: 'any' },
  recurring: { scope: 'any' },
};
const policy = (dim: string): Policy => ({ ...DEFAULT, ...POLICIES[dim] });

const MIN_SCORE = 1;

/** Platt scaling learned on the project sample (evals/learn-priors.ts): raw evidence strength → chance of being right. */
let calibrate = true;
const calibrated = (raw: number) => {
  const { a, b } = PRIORS.calibration;
  return calibrate ? Number((1 / (1 + Math.exp(-(a * raw + b)))).toFixed(3)) : raw;
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
    const head = findEvidence(headlines, cuesFor).filter((h) => h.weight > 0).length;
    const score = hits.reduce((acc, h, i) => acc + h.weight / (1 + i * 0.5), 0) + head * HEADLINE_WEIGHT;
    return { key: o.key, score, hits };
  });
}

const quoteRef = (h: Hit) => `[Article ${h.articleId}] "${h.sentence.text.length > 160 ? `${h.sentence.text.slice(0, 157)}...` : h.sentence.text}"`;

type Decision = { options: string[]; confidence: number; fromPrior: boolean };

function prior(dim: TaxonomyDimension): Decision {
  const p = (PRIORS.priors as Record<string, { options: string[]; share: number }>)[dim.key];
  if (!p || p.options.includes(UNKNOWN)) return { options: [UNKNOWN], confidence: 0.3, fromPrior: false };
  // A prior is a guess: its confidence never reaches that of a label backed by a sentence.
  return { options: p.options, confidence: Number((0.15 + 0.3 * p.share).toFixed(3)), fromPrior: true };
}

function decide(dim: TaxonomyDimension, ev: OptionEvidence[]): Decision {
  const best = Math.max(0, ...ev.map((e) => e.score));
  if (dim.kind === 'boolean') {
    const yes = ev.find((e) => e.key === 'true')?.score ?? 0;
    const no = ev.find((e) => e.key === 'false')?.score ?? 0;
    if (yes < MIN_SCORE && no < MIN_SCORE) return prior(dim);
    const choice = yes >= no * 0.8 && yes >= MIN_SCORE ? 'true' : 'false';
    return { options: [choice], confidence: Number((0.5 + strength(Math.abs(yes - no) + 0.5, 4) / 2).toFixed(3)), fromPrior: false };
  }
  const p = policy(dim.key);
  const chosen = ev.filter((e) => e.score >= MIN_SCORE && e.score >= best * p.relative).sort((a, b) => b.score - a.score).slice(0, p.max);
  if (chosen.length === 0) return prior(dim);
  const weakest = Math.min(...chosen.map((e) => e.score));
  const margin = chosen.length < ev.length ? weakest - Math.max(0, ...ev.filter((e) => !chosen.includes(e)).map((e) => e.score)) : weakest;
  return { options: chosen.map((e) => e.key), confidence: Number((0.35 + 0.6 * strength(Math.max(0, margin) + weakest / 2, 3)).toFixed(3)), fromPrior: false };
}

/**
 * Labels every taxonomy dimension from cue evidence. The rationale names the evidence sentences per
 * chosen option. Without evidence the label falls back to the project sample's most common answer
 * (learned by evals/learn-priors.ts) with a low confidence, or `unknown` where that is unknown too.
 * IoT layers are only labelled for a cyber-physical system.
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
    const used = d.fromPrior ? [] : ev.filter((e) => options.includes(e.key) && e.hits.length > 0);
    const rationale = d.fromPrior
      ? `No sentence carries direct evidence for a ${dim.title} option; this is the most common answer in the project's sample (a low-confidence guess to review).`
      : used.length === 0
        ? options.includes(UNKNOWN) ? `No sentence in the articles carries evidence for any ${dim.title} option, so the label is unknown.` : `Chosen from the headlines: ${options.join(', ')}.`
        : used.map((e) => `${e.key}: ${e.hits.length} supporting sentence(s), e.g. ${e.hits.slice(0, CITES_PER_OPTION).map(quoteRef).join('; ')}`).join(' ');
    const seen = new Set<string>();
    const citations = used.flatMap((e) => e.hits.slice(0, CITES_PER_OPTION))
      .filter((h) => { const k = `${h.articleId}:${h.sentence.start}`; if (seen.has(k)) return false; seen.add(k); return true; })
      .map((h) => sentenceCitation(h.articleId, h.sentence));
    labels.push({ dimension: dim.key, options, rationale, confidence: calibrated(d.confidence), citations });
  }
  return labels;
}
