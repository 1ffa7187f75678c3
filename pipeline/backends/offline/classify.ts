import { TAXONOMY, UNKNOWN, applies, normalizeOptions } from '../../../schemas/index.ts';
import type { LabelDraft } from '../backend.ts';
import { LEXICONS } from './cues.ts';
import { type ArticleDoc, type Hit, countCues, sentenceCitation } from './evidence.ts';
import { type OptionEvidence, taxonomyEvidence, taxonomyFeatures } from './features.ts';
import { type OfflineModel, type SetPrior, chooseOptions, optionProbabilities, setConfidence } from './model.ts';
import { type Answer, adaptedAnswer, corpusLogits, decideCps, neighbours } from './adapted.ts';
import { MODEL } from './learned.ts';
import { type Quotable, quotableIn } from './quotable.ts';
import { TUNING } from './tuning.ts';

const { citesPerOption: CITES_PER_OPTION, cpsTrueAt: CPS_TRUE_AT } = TUNING.settings.taxonomy;

/**
 * A cyber-physical answer the likelier reading would not give says why it was given: cps is decided by
 * expected loss (adapted.ts decideCps), and a reviewer who sees "true" beside quotes about a router
 * should learn that it was the cheaper mistake, not the likelier answer.
 */
export const cpsReason = (dimension: string, options: readonly string[], probability: number): string =>
  dimension === 'cps' && options[0] === 'true' && probability < 0.5
    ? ` True although the articles make a cyber-physical system less likely than not: cps is true from a chance of ${CPS_TRUE_AT}, because one labelled otherwise loses its three IoT dimensions, the costlier mistake.`
    : '';

/** A sentence as a quote: its own quote marks dropped, so the rationale never shows `""…""`. */
const quoted = (h: Hit) => {
  const t = h.sentence.text.replace(/^["“”'‘’\s]+|["“”'‘’\s]+$/g, '');
  return `"${t.length > 160 ? `${t.slice(0, 157)}…` : t}" [Article ${h.articleId}]`;
};

const LEAD = TUNING.settings.taxonomy.leadSentences;
/** News states what happened in its opening sentences: there a cue's sentence is about this failure more often. */
const leadFirst = (a: Hit, b: Hit) => Number(b.sentence.index < LEAD) - Number(a.sentence.index < LEAD) || b.weight - a.weight;

/**
 * The sentences shown (and cited) for each chosen option, CITES_PER_OPTION at most: only quotable ones
 * (quotable.ts), those among the articles' opening sentences first, then in the order the cues weigh
 * them. A sentence carrying the cues of two options is shown under the one it carries more of ("a worn
 * sensor, fitted by contractors, gave out" speaks for a non-human cause more than for a human one),
 * unless the option has no sentence of its own.
 */
export function shownEvidence(
  dim: string,
  ev: readonly OptionEvidence[],
  options: readonly string[],
  quotable: Quotable,
): Map<string, Hit[]> {
  const lex = LEXICONS[dim] ?? {};
  const cuesOf = (h: Hit, k: string) => countCues(h.sentence, lex[k] ?? []);
  return new Map(
    options.map((k) => {
      const hits = (ev.find((x) => x.key === k)?.hits ?? []).filter((h) => quotable(dim, k, h)).sort(leadFirst);
      const own = hits.filter((h) => ev.every((o) => o.key === k || cuesOf(h, o.key) <= cuesOf(h, k)));
      // A sentence an article repeats (a pull quote, a syndicated paragraph) is shown once.
      const distinct = (own.length ? own : hits).filter((h, i, all) => all.findIndex((x) => x.sentence.text === h.sentence.text) === i);
      return [k, distinct.slice(0, CITES_PER_OPTION)];
    }),
  );
}

/** How strong the prior for an option is: how many labelled incidents have it. */
function priorOf(prior: SetPrior | undefined, option: string, source: string): string {
  const total = prior?.sets.reduce((n, s) => n + s.count, 0) ?? 0;
  const have = prior?.sets.filter((s) => s.options.includes(option)).reduce((n, s) => n + s.count, 0) ?? 0;
  return total ? `${have} of ${total} ${source} incidents have it` : 'no labelled incidents to compare with';
}

/**
 * What a reviewer can check: per option, the sentences that state it, or a plain statement that none
 * does, naming the words that suggest it and the prior (what labelled incidents like this one usually
 * have), with that prior's strength. The label's one number is its confidence.
 */
function rationale(
  options: string[],
  ev: OptionEvidence[],
  shown: Map<string, Hit[]>,
  how: string,
  prior: (option: string) => string,
): string {
  if (options[0] === UNKNOWN) return `unknown: no option is supported strongly enough. Decided by ${how}; ${prior(UNKNOWN)}.`;
  const parts = options.map((k) => {
    const hits = shown.get(k) ?? [];
    if (hits.length) return `${k}: ${hits.map(quoted).join('; ')}`;
    const own = ev.find((x) => x.key === k);
    const head = (own?.headHits ?? []).filter((h) => h.polarity === 'asserted');
    if (head.length) return `${k}: from the headline ${quoted(head[0]!)}`;
    // Words that make the option likelier without stating it ("glitch" for a software fault) are named, so a
    // reviewer can find them, but not quoted as support.
    const cued = (own?.hits ?? []).filter((h) => h.polarity === 'asserted');
    const words = [...new Set(cued.map((h) => h.cue.toLowerCase()))].slice(0, 3).map((w) => `"${w}"`);
    if (cued.length)
      return `${k}: no sentence states it; words that suggest it (${words.join(', ')}) appear in ${cued.length} sentence${cued.length > 1 ? 's' : ''}, and ${prior(k)}`;
    return `${k}: no sentence states it; it comes from the prior (${prior(k)})`;
  });
  return `${parts.join(' · ')}. Decided by ${how}.`;
}

function describe(model: OfflineModel, dim: string, x: ReturnType<typeof corpusLogits>): { how: string; source: string } {
  const a = model.adaptation;
  const d = a?.taxonomy[dim];
  if (!a || !d) return { how: "the corpus model over the articles' cues", source: 'training' };
  const source = a.sources.map((s) => s.dir.split('/').filter(Boolean).pop()).join(' + ');
  const weighed = `the articles' cues, weighed as the ${source} incidents' labels weigh them`;
  switch (d.expert) {
    case 'prior':
      return { how: `the set the ${source} incidents have most often (the articles' cues did not predict ${dim} better)`, source };
    case 'corpus':
      return { how: "the corpus model over the articles' cues", source };
    case 'stack':
      return { how: weighed, source };
    case 'knn':
    case 'blend':
      return {
        how: `${d.expert === 'blend' ? `${weighed}, and ` : ''}the most similar labelled incidents (${neighbours(a, x, dim)
          .map((p) => p.incident)
          .join(', ')})`,
        source,
      };
  }
}

/**
 * Labels every taxonomy dimension: cue evidence per option (features.ts) goes through the corpus model's
 * per-option models (model.ts); when the model was fitted to the user's labels, the adapted layer
 * (adapted.ts) turns those probabilities into the option set the user's analysts would give. IoT layers
 * are only labelled for a cyber-physical system. Citations are the asserted evidence sentences.
 */
export function classifyDocs(docs: readonly ArticleDoc[], model: OfflineModel = MODEL): LabelDraft[] {
  const evidence = taxonomyEvidence(docs);
  const quotable = quotableIn(docs);
  const features = taxonomyFeatures(evidence, docs);
  const corpus = new Map(TAXONOMY.map((dim) => [dim.key, optionProbabilities(model, dim.key, features)]));
  const x = corpusLogits(corpus);
  const labels: LabelDraft[] = [];
  let cps: string[] = [UNKNOWN];
  for (const dim of TAXONOMY) {
    if (!applies(dim.key, cps)) continue;
    const a = model.adaptation;
    const corpusAnswer = (): Answer => {
      const c = { ...chooseOptions(dim, corpus.get(dim.key)!, model.taxonomy[dim.key]?.prior), probs: corpus.get(dim.key)! };
      return dim.key === 'cps' ? decideCps(c, TUNING.settings.taxonomy.cpsTrueAt) : c;
    };
    const answer = a?.taxonomy[dim.key] ? adaptedAnswer(a, dim, x, corpus.get(dim.key)!) : corpusAnswer();
    const options = normalizeOptions(dim.key, answer.options);
    if (dim.key === 'cps') cps = options;
    const ev = evidence.get(dim.key) ?? [];
    const shown = shownEvidence(dim.key, ev, options, quotable);
    const seen = new Set<string>();
    const citations = [...shown.values()]
      .flat()
      .filter((h) => {
        const k = `${h.articleId}:${h.sentence.start}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      })
      .map((h) => sentenceCitation(h.articleId, h.sentence));
    const { how, source } = describe(model, dim.key, x);
    const prior = a?.taxonomy[dim.key]?.prior ?? model.taxonomy[dim.key]?.prior;
    labels.push({
      dimension: dim.key,
      options,
      rationale: rationale(options, ev, shown, how, (k) => priorOf(prior, k, source)) + cpsReason(dim.key, options, answer.probability),
      confidence: setConfidence(a?.taxonomy[dim.key] ? a.calibration : model.calibration, answer.probability),
      citations,
    });
  }
  return labels;
}
