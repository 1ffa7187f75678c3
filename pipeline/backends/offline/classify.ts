import { TAXONOMY, UNKNOWN, applies, normalizeOptions, type TaxonomyDimension } from '../../../schemas/index.ts';
import type { LabelDraft } from '../backend.ts';
import { LEXICONS } from './lexicons.ts';
import { type ArticleDoc, type Hit, findEvidence, sentenceCitation, strength } from './evidence.ts';

/** An option is chosen when its evidence reaches this score, and is not dwarfed by the leading option. */
const MIN_SCORE = 1;
const RELATIVE = 0.34;
const CITES_PER_OPTION = 2;

interface OptionEvidence {
  key: string;
  score: number;
  hits: Hit[];
}

/** Sums evidence with diminishing returns per sentence, so one long article cannot outvote the rest. */
function optionEvidence(docs: readonly ArticleDoc[], dim: TaxonomyDimension): OptionEvidence[] {
  const lex = LEXICONS[dim.key] ?? {};
  return dim.options.map((o) => {
    const hits = findEvidence(docs, lex[o.key] ?? []).filter((h) => h.weight > 0).sort((a, b) => b.weight - a.weight);
    const score = hits.reduce((acc, h, i) => acc + h.weight / (1 + i * 0.5), 0);
    return { key: o.key, score, hits };
  });
}

const quoteRef = (h: Hit) => `[Article ${h.articleId}] "${h.sentence.text.length > 160 ? `${h.sentence.text.slice(0, 157)}...` : h.sentence.text}"`;

function decide(dim: TaxonomyDimension, ev: OptionEvidence[]): { options: string[]; confidence: number } {
  const best = Math.max(0, ...ev.map((e) => e.score));
  if (dim.kind === 'boolean') {
    const yes = ev.find((e) => e.key === 'true')?.score ?? 0;
    const no = ev.find((e) => e.key === 'false')?.score ?? 0;
    if (yes < MIN_SCORE && no < MIN_SCORE) return { options: [UNKNOWN], confidence: 0.3 };
    const choice = yes >= no * 0.8 && yes >= MIN_SCORE ? 'true' : 'false';
    return { options: [choice], confidence: Number((0.5 + strength(Math.abs(yes - no) + 0.5, 4) / 2).toFixed(3)) };
  }
  const chosen = ev.filter((e) => e.score >= MIN_SCORE && e.score >= best * RELATIVE);
  if (chosen.length === 0) return { options: [UNKNOWN], confidence: Number((0.3 + 0.2 * strength(1 - best, 1)).toFixed(3)) };
  const weakest = Math.min(...chosen.map((e) => e.score));
  return { options: chosen.map((e) => e.key), confidence: Number((0.35 + 0.6 * strength(weakest, 3)).toFixed(3)) };
}

/**
 * Labels every taxonomy dimension from cue evidence. The rationale names the evidence sentences per
 * chosen option; with no evidence the label is `unknown`. IoT layers are only labelled for a
 * cyber-physical system.
 */
export function classifyDocs(docs: readonly ArticleDoc[]): LabelDraft[] {
  const labels: LabelDraft[] = [];
  let cps: string[] = [UNKNOWN];
  for (const dim of TAXONOMY) {
    if (!applies(dim.key, cps)) continue;
    const ev = optionEvidence(docs, dim);
    const { options, confidence } = decide(dim, ev);
    const normalized = normalizeOptions(dim.key, options);
    if (dim.key === 'cps') cps = normalized;
    const used = ev.filter((e) => normalized.includes(e.key));
    const rationale = used.length === 0
      ? `No sentence in the articles carries evidence for any ${dim.title} option, so the label is unknown.`
      : used.map((e) => `${e.key}: ${e.hits.length} supporting sentence(s), e.g. ${e.hits.slice(0, CITES_PER_OPTION).map(quoteRef).join('; ')}`).join(' ');
    const seen = new Set<string>();
    const citations = used.flatMap((e) => e.hits.slice(0, CITES_PER_OPTION))
      .filter((h) => { const k = `${h.articleId}:${h.sentence.start}`; if (seen.has(k)) return false; seen.add(k); return true; })
      .map((h) => sentenceCitation(h.articleId, h.sentence));
    labels.push({ dimension: dim.key, options: normalized, rationale, confidence, citations });
  }
  return labels;
}
