import { TAXONOMY, UNKNOWN, applies, normalizeOptions } from '../../../schemas/index.ts';
import type { LabelDraft } from '../backend.ts';
import { type ArticleDoc, type Hit, sentenceCitation } from './evidence.ts';
import { type OptionEvidence, taxonomyEvidence, taxonomyFeatures } from './features.ts';
import { type OfflineModel, chooseOptions, optionProbabilities, setConfidence } from './model.ts';
import { MODEL } from './learned.ts';

const CITES_PER_OPTION = 2;

const quoteRef = (h: Hit) => `[Article ${h.articleId}] "${h.sentence.text.length > 160 ? `${h.sentence.text.slice(0, 157)}...` : h.sentence.text}"`;
const pct = (p: number) => `${Math.round(p * 100)}%`;

function rationale(title: string, options: string[], ev: OptionEvidence[], probs: Map<string, number>): string {
  if (options[0] === UNKNOWN) return `No option of ${title} is likely enough from the articles' evidence (unknown ${pct(probs.get(UNKNOWN) ?? 0)}), so the label is unknown.`;
  return options.map((k) => {
    const e = ev.find((x) => x.key === k);
    // Below even odds alone, an option is there because the whole set is likelier (the set prior).
    const p = `${pct(probs.get(k) ?? 0)}${(probs.get(k) ?? 0) < 0.5 && options.length > 1 ? ', kept for the set' : ''}`;
    if (e?.hits.length) return `${k} (${p}): ${e.hits.length} supporting sentence(s), e.g. ${e.hits.slice(0, CITES_PER_OPTION).map(quoteRef).join('; ')}`;
    if (e?.headHits.length) return `${k} (${p}): from the headline(s) ${e.headHits.slice(0, CITES_PER_OPTION).map(quoteRef).join('; ')}`;
    // Said plainly: the option comes from what incidents with this overall evidence usually are.
    return `${k} (${p}): no sentence names it; typical of incidents with this evidence.`;
  }).join(' ');
}

/**
 * Labels every taxonomy dimension: cue evidence per option (features.ts) goes through the learned
 * per-option models (model.ts), and the likeliest option set is chosen. The rationale gives each
 * option's probability and its evidence sentences, which are also the citations. IoT layers are only
 * labelled for a cyber-physical system.
 */
export function classifyDocs(docs: readonly ArticleDoc[], model: OfflineModel = MODEL): LabelDraft[] {
  const evidence = taxonomyEvidence(docs);
  const features = taxonomyFeatures(evidence, docs);
  const labels: LabelDraft[] = [];
  let cps: string[] = [UNKNOWN];
  for (const dim of TAXONOMY) {
    if (!applies(dim.key, cps)) continue;
    const probs = optionProbabilities(model, dim.key, features);
    const choice = chooseOptions(dim, probs, model.taxonomy[dim.key]?.prior);
    const options = normalizeOptions(dim.key, choice.options);
    if (dim.key === 'cps') cps = options;
    const ev = evidence.get(dim.key) ?? [];
    const seen = new Set<string>();
    const citations = ev.filter((e) => options.includes(e.key)).flatMap((e) => e.hits.slice(0, CITES_PER_OPTION))
      .filter((h) => { const k = `${h.articleId}:${h.sentence.start}`; if (seen.has(k)) return false; seen.add(k); return true; })
      .map((h) => sentenceCitation(h.articleId, h.sentence));
    labels.push({ dimension: dim.key, options, rationale: rationale(dim.title, options, ev, probs), confidence: setConfidence(model, choice.probability), citations });
  }
  return labels;
}
