import {
  type Article,
  type Citation,
  type Incident,
  type Postmortem,
  TAXONOMY,
  UNKNOWN,
  applies,
  normalizeOptions,
} from '../../../schemas/index.ts';
import type { CallContext, LabelDraft } from '../backend.ts';
import { type Passage, renderPassages, wholeArticle } from './articles.ts';
import { planBatches } from './chunking.ts';
import { renderDigest } from './digest.ts';
import type { Engine } from './engine.ts';
import { type Grounded, askGrounded } from './grounded.ts';
import type { ClassifyAnswer } from './schemas.ts';
import { scopeLine } from './scope.ts';

/** A label whose options no verified quote supports is kept for review, but never confidently. */
const UNSUPPORTED_CONFIDENCE = 0.3;

type Draft = Omit<LabelDraft, 'dimension'>;

const isUnknown = (options: readonly string[]) => options.length === 1 && options[0] === UNKNOWN;

type Stats = Grounded<unknown>['stats'];

/** `shown` is what the model reads; quotes are placed in `passages`, the article text it came from. */
async function classifyBatch(
  e: Engine,
  shown: string,
  batch: Passage[],
  scope: string,
  examples: string,
  ctx: CallContext,
): Promise<{ drafts: Map<string, Draft>; stats: Stats }> {
  const messages = e.messages('classify', { scope, examples, articles: shown });
  const g = await askGrounded(e.chat, messages, e.spec('classify'), batch, ctx, {
    maxReasks: e.s.maxReasks,
    unsupported: (v: ClassifyAnswer, verified) =>
      TAXONOMY.filter((d) => {
        const a = v[d.key];
        return a && !isUnknown(normalizeOptions(d.key, a.options)) && !a.evidence.some(verified);
      }).map((d) => `${d.key}: options ${JSON.stringify(v[d.key]!.options)} have no quote`),
  });
  const out = new Map<string, Draft>();
  for (const d of TAXONOMY) {
    const a = g.value[d.key];
    if (!a) continue;
    const options = normalizeOptions(d.key, a.options);
    const citations = isUnknown(options) ? [] : a.evidence.map(g.citationOf).filter((c): c is Citation => c !== null);
    out.set(d.key, { options, rationale: a.rationale.trim(), confidence: a.confidence, citations });
  }
  return { drafts: out, stats: g.stats };
}

/**
 * Parts of a long incident are labelled separately, then combined: an option any part supports is
 * kept (evidence in one part is evidence), a boolean takes the most confident known answer, and
 * `unknown` remains only where every part said so.
 */
function combine(parts: Map<string, Draft>[]): Map<string, Draft> {
  const out = new Map<string, Draft>();
  for (const d of TAXONOMY) {
    const drafts = parts.map((p) => p.get(d.key)).filter((x): x is Draft => !!x);
    if (!drafts.length) continue;
    const known = drafts.filter((x) => !isUnknown(x.options));
    if (!known.length) {
      out.set(
        d.key,
        drafts.reduce((a, b) => (b.confidence > a.confidence ? b : a)),
      );
      continue;
    }
    const pick = d.kind === 'boolean' ? [known.reduce((a, b) => (b.confidence > a.confidence ? b : a))] : known;
    out.set(d.key, {
      options: normalizeOptions(
        d.key,
        pick.flatMap((x) => x.options),
      ),
      rationale: [...new Set(pick.map((x) => x.rationale))].join(' '),
      confidence: Math.max(...pick.map((x) => x.confidence)),
      citations: pick.flatMap((x) => x.citations),
    });
  }
  return out;
}

const DIGEST_SCOPE = "The incident's postmortem, then the article quotes it rests on; quote only from the articles.";

/**
 * Reads the postmortem's digest when there is one that fits the budget and is shorter than the
 * articles; otherwise the articles themselves, in as few parts as the budget allows.
 */
async function classifyParts(e: Engine, incident: Incident, articles: Article[], postmortem: Postmortem | null, ctx: CallContext) {
  const examples = e.examplesFor('classify', incident, articles);
  const budget = e.articleBudget('classify', examples);
  const digest = postmortem && renderDigest(postmortem, articles);
  if (digest) {
    const tokens = e.count(digest.text);
    if (tokens <= budget && tokens < e.count(renderPassages(articles.map(wholeArticle)))) {
      return [await classifyBatch(e, digest.text, digest.passages, DIGEST_SCOPE, examples, ctx)];
    }
  }
  const batches = await planBatches(articles, budget, e.count);
  return Promise.all(
    batches.map((b, i) => classifyBatch(e, renderPassages(b), b, scopeLine(b, i, batches.length, articles), examples, ctx)),
  );
}

/**
 * Every dimension in one call (or one per part of a long incident). The taxonomy's rules are applied
 * to whatever comes back: `unknown` only alone, never an empty answer, IoT layers only when cps is true.
 */
export async function classifyIncident(
  e: Engine,
  incident: Incident,
  articles: Article[],
  postmortem: Postmortem | null,
  ctx: CallContext,
): Promise<LabelDraft[]> {
  const parts = await classifyParts(e, incident, articles, postmortem, ctx);
  const drafts = parts.length === 1 ? parts[0].drafts : combine(parts.map((p) => p.drafts));
  const labels: LabelDraft[] = [];
  let unsupported = 0;
  const cps = drafts.get('cps')?.options ?? [UNKNOWN];
  for (const d of TAXONOMY) {
    if (!applies(d.key, cps)) continue;
    const draft = drafts.get(d.key) ?? {
      options: [UNKNOWN],
      rationale: 'The model gave no answer for this layer.',
      confidence: 0.2,
      citations: [],
    };
    let { confidence, rationale } = draft;
    if (!isUnknown(draft.options) && draft.citations.length === 0) {
      unsupported++;
      confidence = Math.min(confidence, UNSUPPORTED_CONFIDENCE);
      rationale = `${rationale} (No quote from the articles could be verified for this answer.)`;
    }
    labels.push({ dimension: d.key, options: draft.options, rationale, confidence, citations: draft.citations });
  }
  const sum = (k: 'proposed' | 'unplaced' | 'dropped') => parts.reduce((n, p) => n + p.stats[k], 0);
  ctx.quoteChecks.recordQuoteCheck({
    runId: ctx.runId,
    stage: 'classify',
    subject: incident.id,
    proposed: sum('proposed'),
    unplaced: sum('unplaced'),
    reasked: parts.some((p) => p.stats.reasked),
    dropped: sum('dropped'),
    unsupported,
  });
  return labels;
}
