import { TAXONOMY, optionKeys, type DimensionKey } from '../../schemas/index.ts';
import { SCREENING_SIGNS, screeningFeatures, taxonomyEvidence, taxonomyFeatures } from '../backends/offline/features.ts';
import { factCandidates } from '../backends/offline/candidates.ts';
import { FACT_FIELDS, type FactField, NAME_FIELDS } from '../backends/offline/fact-fields.ts';
import { type Features, fit, fitSigned } from '../backends/offline/logistic.ts';
import { type OfflineModel, type SetPrior, chooseOptions, logit } from '../backends/offline/model.ts';
import { type ArticleDoc, readable } from '../backends/offline/evidence.ts';
import { TUNING } from '../backends/offline/tuning.ts';
import {
  type Counts,
  type Lexicon,
  addCounts,
  emptyCounts,
  learnLexicon,
  mergeCounts,
  sentenceWords,
  spanWords,
  textWords,
  withLexicon,
} from '../backends/offline/lexicon.ts';
import { relativeToIncident } from '../backends/offline/relative.ts';
import { factMatches, splitFacts } from '../../evals/facts.ts';
import { exactSet, jaccard } from '../../evals/metrics/sets.ts';
import { confusion, fromConfusion } from '../../evals/metrics/prf.ts';
import type { Labelled, LabelledArticle, LabelledIncident } from './data.ts';
import { FOLDS, crossPredict, r3 } from './folds.ts';

/**
 * The corpus model: what cues mean, learned from many labelled incidents (the project's own corpus,
 * data/train). Every part is validated by 5-fold cross-validation, folds by incident.
 * - screening: "failure report" and "analyzable"; the failure threshold is the highest that keeps
 *   cross-validated recall at RECALL_TARGET;
 * - extraction: per field, "this sentence states one of the field's facts" by the eval harness's own
 *   fact-matching rule, with a recall-weighted threshold;
 * - taxonomy: one model per option over the cue evidence; feature set, penalty and set-prior weight per
 *   dimension picked by cross-validated exact-set match;
 * - calibration: Platt scaling of a chosen set's probability, fitted on the cross-validated answers.
 */
export const RECALL_TARGET = 0.98;
const PENALTIES = [10, 3, 1, 0.3];
const PRIOR_WEIGHTS = [0, 0.5, 1, 2];
/** How much better (cross-validated) a richer feature set or a weaker penalty must be to be chosen. */
const MARGIN = 0.02;
/** Signals that bear on many dimensions at once: who acted, what broke, what kind of system. */
const SHARED = [
  'objective.malicious',
  'dimension.hardware',
  'nature.non-human_actions',
  'boundary.outside_system',
  'cps.true',
  'cps.false',
  'consequence.death',
  'consequence.harm',
  'behaviour.crash',
  'docs.articles',
  'docs.sentences',
  'agents.staff',
  'agents.attacker',
  'agents.none',
];
/** Extraction threshold: best cross-validated F-beta, recall weighted this many times. */
const EXTRACT_BETA = 2;

export type Log = (line: string) => void;

export const prf = (pred: readonly boolean[], gold: readonly number[]) => {
  const s = fromConfusion(confusion(pred.map((p, i) => ({ pred: p, gold: gold[i] === 1 }))));
  return { precision: r3(s.precision ?? 0), recall: r3(s.recall ?? 0), f1: r3(s.f1 ?? 0) };
};

// Features depend on the text and the tuning only, while folds and re-learns ask again and again for
// the same texts (each from a new reading of its folder): cached by article id and content hash.
const docKey = (d: ArticleDoc) => `${d.article.id}\u0000${d.article.contentHash}`;
const incidentKey = (inc: LabelledIncident) => `${inc.gold.id}\u0001${inc.docs.map(docKey).join('\u0001')}`;
function cached<K, V>(key: (k: K) => string, make: (k: K) => V): (k: K) => V {
  const cache = new Map<string, V>();
  return (k) => {
    const at = key(k);
    let v = cache.get(at);
    if (v === undefined) cache.set(at, (v = make(k)));
    return v;
  };
}
export const screenFeaturesOf = cached(docKey, (d: ArticleDoc) => screeningFeatures(d));
export const taxonomyFeaturesOf = cached(incidentKey, (inc: LabelledIncident) => taxonomyFeatures(taxonomyEvidence(inc.docs), inc.docs));

/** The highest threshold that still lets `recall` of the positives through. */
export function recallThreshold(ps: readonly number[], ys: readonly number[], recall: number): number {
  const positives = ps.filter((_p, i) => ys[i]).sort((a, b) => a - b);
  if (positives.length === 0) return 0.5;
  return r3(Math.max(0.05, Math.min(0.5, positives[Math.floor(positives.length * (1 - recall))]! - 1e-6)));
}

/** Articles the screening models learn from: labelled, and readable (screen.ts passes the others on unjudged). */
export const screenable = (a: LabelledArticle) => typeof a.gold.gold.isFailure === 'boolean' && readable(a.doc);

export function learnScreening(articles: readonly LabelledArticle[], cv: Record<string, number>): OfflineModel['screening'] {
  const rows = articles.filter(screenable);
  const xs = rows.map((a) => screenFeaturesOf(a.doc));
  const yFail = rows.map((a) => (a.gold.gold.isFailure ? 1 : 0));
  const names = Object.keys(xs[0]!);
  const pFail = crossPredict(names, xs, yFail, { l2: 1, signs: SCREENING_SIGNS });
  const failThreshold = recallThreshold(pFail, yFail, RECALL_TARGET);
  const an = rows.map((a, i) => ({ a, i })).filter(({ a }) => a.gold.gold.isFailure && typeof a.gold.gold.analyzable === 'boolean');
  const yAn = an.map(({ a }) => (a.gold.gold.analyzable ? 1 : 0));
  const pAn = crossPredict(
    names,
    an.map(({ i }) => xs[i]!),
    yAn,
    { l2: 1, signs: SCREENING_SIGNS },
  );
  const failCv = prf(
      pFail.map((p) => p >= failThreshold),
      yFail,
    ),
    anCv = prf(
      pAn.map((p) => p >= 0.5),
      yAn,
    );
  for (const [k, v] of Object.entries(failCv)) cv[`screening.isFailure.${k}`] = v;
  for (const [k, v] of Object.entries(anCv)) cv[`screening.analyzable.${k}`] = v;
  return {
    isFailure: { ...fitSigned(names, xs, yFail, SCREENING_SIGNS, { l2: 1 }), threshold: failThreshold },
    analyzable: {
      ...fitSigned(
        names,
        an.map(({ i }) => xs[i]!),
        yAn,
        SCREENING_SIGNS,
        { l2: 1 },
      ),
      threshold: 0.5,
    },
  };
}

/** A candidate fact of a labelled incident: its features, and per field it may fill, the fact's text. */
export interface FactRow {
  inc: LabelledIncident;
  n: number;
  x: Features;
  text: Partial<Record<FactField, string>>;
  /** The words of each lexicon field's span (lexicon.ts). */
  words: Partial<Record<FactField, string[]>>;
}
const candidatesOf = cached(incidentKey, (inc: LabelledIncident) =>
  factCandidates(inc.docs).map((c) => ({
    x: c.x,
    text: Object.fromEntries(Object.entries(c.spans).map(([f, span]) => [f, span.text])) as FactRow['text'],
    words: Object.fromEntries(
      Object.entries(c.spans)
        .filter(([f]) => LEXICON_FIELDS.has(f as FactField))
        .map(([f, span]) => [f, spanWords(c.s.tokens, span)]),
    ) as FactRow['words'],
  })),
);
export const factRows = (incidents: readonly LabelledIncident[]): FactRow[] =>
  incidents.flatMap((inc, n) => candidatesOf(inc).map((r) => ({ inc, n, ...r })));

/**
 * Each incident weighs the same in a fact model, whatever its number of candidates: the choice is made
 * among one incident's candidates, and a long story's hundreds of sentences would otherwise teach the
 * model what sets a fact apart in long stories. (Fact recall / precision went from 0.413 / 0.345 to
 * 0.418 / 0.349 on FAIL's dev split, cross-fitted, and from 0.405 / 0.545 to 0.408 / 0.548 on the sample.)
 */
export function incidentWeights(rows: readonly Pick<FactRow, 'n'>[]): number[] {
  const count = new Map<number, number>();
  for (const r of rows) count.set(r.n, (count.get(r.n) ?? 0) + 1);
  const mean = rows.length / Math.max(1, count.size);
  return rows.map((r) => mean / count.get(r.n)!);
}

/** Does a candidate state one of the incident's gold facts of this field, by the harness's own rule? */
const factsOf = cached(
  (k: { inc: LabelledIncident; field: string }) => `${k.field}\u0002${incidentKey(k.inc)}`,
  (k: { inc: LabelledIncident; field: FactField }) => splitFacts(k.inc.gold.gold.postmortem?.[k.field]),
);
const isName = (field: FactField) => (NAME_FIELDS as readonly string[]).includes(field);
export const holdsFact = (field: FactField) => (r: FactRow) =>
  factsOf({ inc: r.inc, field }).some((g) => factMatches(g, r.text[field]!)) ? 1 : 0;

const LEXICON_FIELDS = new Set<FactField>(TUNING.settings.extraction.lexiconFields);
/** An incident's words as a lexicon counts them: per field its gold facts', and its stories' sentences'. */
const lexiconCountsOf = cached(incidentKey, (inc: LabelledIncident) => ({
  facts: Object.fromEntries(
    FACT_FIELDS.map((f) => [f, factsOf({ inc, field: f }).reduce((c, t) => addCounts(c, textWords(t)), emptyCounts())]),
  ) as Record<FactField, Counts>,
  background: inc.docs.flatMap((d) => d.sentences).reduce((c, s) => addCounts(c, sentenceWords(s.tokens)), emptyCounts()),
}));
// The background holds the other lexicon fields' facts too, so a field's words are those that set its facts
// apart from the others' ("bug" from a non-software cause), not only from the stories.
const lexiconOf = (incidents: readonly LabelledIncident[], field: FactField) =>
  learnLexicon(
    mergeCounts(incidents.map((inc) => lexiconCountsOf(inc).facts[field])),
    mergeCounts(
      incidents.flatMap((inc) => {
        const c = lexiconCountsOf(inc);
        return [c.background, ...[...LEXICON_FIELDS].filter((f) => f !== field).map((f) => c.facts[f])];
      }),
    ),
  );

/**
 * A field's training features (with those read against the row's incident, relative.ts), and its
 * lexicon when it has one. A row's lexicon score comes from a
 * lexicon learned without its own fold's incidents (folds by `n`, as in cross-validation): scored by a
 * lexicon that had read its own incident's facts, a row would teach the model to trust the score far
 * more than it deserves on a new story.
 */
export function factInputs(
  incidents: readonly LabelledIncident[],
  rows: readonly FactRow[],
  field: FactField,
): { xs: Features[]; lexicon: Lexicon | null } {
  const lexical = LEXICON_FIELDS.has(field);
  const folds = lexical
    ? Array.from({ length: FOLDS }, (_v, k) =>
        lexiconOf(
          incidents.filter((_inc, n) => n % FOLDS !== k),
          field,
        ),
      )
    : [];
  const xs = rows.map((r) => withLexicon(r.x, folds[r.n % FOLDS] ?? null, () => r.words[field] ?? []));
  return { xs: relativeToIncident(xs, field, (i) => rows[i]!.n), lexicon: lexical ? lexiconOf(incidents, field) : null };
}

/** What may only speak for a field: its own cues, in the sentence (clause fields) or in the name. */
export const extractionSigns = (field: FactField): Record<string, 1> =>
  isName(field) ? { [`name.cue.${field}`]: 1 } : { [`cue.${field}`]: 1, lex: 1 };

/** Threshold with the best cross-validated F-beta (recall weighted EXTRACT_BETA times). */
export function fbetaThreshold(ps: readonly number[], ys: readonly number[]) {
  let best = { threshold: 0.5, f: -1, precision: 0, recall: 0 };
  for (let t = 0.05; t < 0.9; t += 0.025) {
    const s = fromConfusion(confusion(ps.map((p, i) => ({ pred: p >= t, gold: ys[i] === 1 }))));
    const p = s.precision ?? 0,
      r = s.recall ?? 0;
    const f = ((1 + EXTRACT_BETA ** 2) * p * r) / Math.max(1e-9, EXTRACT_BETA ** 2 * p + r);
    if (f > best.f) best = { threshold: r3(t), f, precision: p, recall: r };
  }
  return best;
}

export function learnExtraction(incidents: readonly LabelledIncident[], cv: Record<string, number>, log: Log): OfflineModel['extraction'] {
  const all = factRows(incidents);
  const out: OfflineModel['extraction'] = {};
  for (const field of FACT_FIELDS) {
    const rows = all.filter((r) => r.text[field] !== undefined);
    const { xs, lexicon } = factInputs(incidents, rows, field);
    const names = Object.keys(xs[0]!);
    const ys = rows.map(holdsFact(field));
    const signs = extractionSigns(field);
    const weights = incidentWeights(rows);
    const ps = crossPredict(names, xs, ys, { l2: 1, signs, weights, foldOf: (i) => rows[i]!.n % FOLDS });
    const best = fbetaThreshold(ps, ys);
    out[field] = { ...fitSigned(names, xs, ys, signs, { l2: 1, weights }), threshold: best.threshold, lexicon };
    cv[`extraction.${field}.candidateRecall`] = r3(best.recall);
    cv[`extraction.${field}.candidatePrecision`] = r3(best.precision);
    log(
      `${field.padEnd(24)} candidates ${ys.length} (${ys.filter(Boolean).length} hold a gold fact)  cv P/R ${best.precision.toFixed(3)}/${best.recall.toFixed(3)} at ${best.threshold}`,
    );
  }
  return out;
}

export const goldSets = (inc: LabelledIncident, dim: string) => inc.gold.gold.taxonomy[dim as DimensionKey] ?? null;

/** How often each whole option set occurs, most frequent first (ties by key). */
export function setCounts(sets: readonly (readonly string[])[]): SetPrior['sets'] {
  const counts = new Map<string, { options: string[]; count: number }>();
  for (const s of sets) {
    const options = [...s].sort();
    const key = options.join(',');
    const c = counts.get(key);
    if (c) c.count++;
    else counts.set(key, { options, count: 1 });
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.options.join().localeCompare(b.options.join()));
}

export function learnTaxonomy(
  incidents: readonly LabelledIncident[],
  cv: Record<string, number>,
  log: Log,
): Pick<OfflineModel, 'taxonomy' | 'calibration'> {
  const rows = incidents.map((inc) => ({ inc, x: taxonomyFeaturesOf(inc) }));
  const names = Object.keys(rows[0]!.x);
  const taxonomy: OfflineModel['taxonomy'] = {};
  const platt: { z: number; y: number }[] = [];
  const fold = (i: number) => i % FOLDS;
  for (const dim of TAXONOMY) {
    const dimRows = rows.filter((r) => goldSets(r.inc, dim.key));
    if (dimRows.length === 0) continue;
    const gold = dimRows.map((r) => goldSets(r.inc, dim.key)!);
    const keys = optionKeys(dim.key);
    const own = names.filter((n) => n.startsWith(`${dim.key}.`));
    // An option's own cues may only speak for it.
    const ownSign = (k: string): Record<string, 1 | -1> => ({ [`${dim.key}.${k}`]: 1 });
    // Own cues plus the shared signals first; every option's cues at once must win clearly (MARGIN).
    const candidates = { shared: [...new Set([...own, ...SHARED])], all: names };
    const foldSets = Array.from({ length: FOLDS }, (_x, k) => setCounts(gold.filter((_g, i) => fold(i) !== k)));
    type Choice = {
      name: keyof typeof candidates;
      l2: number;
      weight: number;
      exact: number;
      jaccard: number;
      answers: { options: string[]; probability: number }[];
    };
    let best: Choice | null = null;
    for (const [name, features] of Object.entries(candidates) as [keyof typeof candidates, string[]][]) {
      for (const l2 of PENALTIES) {
        const probs = keys.map((k) =>
          crossPredict(
            features,
            dimRows.map((r) => r.x),
            gold.map((g) => (g.includes(k) ? 1 : 0)),
            { l2, signs: ownSign(k) },
          ),
        );
        for (const weight of PRIOR_WEIGHTS) {
          const answers = dimRows.map((_r, i) =>
            chooseOptions(dim, new Map(keys.map((k, j) => [k, probs[j]![i]!])), { weight, sets: foldSets[fold(i)]! }),
          );
          const exact = answers.filter((a, i) => exactSet(a.options, gold[i]!)).length / answers.length;
          const jac = answers.reduce((acc, a, i) => acc + jaccard(a.options, gold[i]!), 0) / answers.length;
          // Candidates come simplest first; a richer one must win clearly, since news differs from the training texts.
          if (!best || exact > best.exact + MARGIN || (Math.abs(exact - best.exact) <= MARGIN && jac > best.jaccard + MARGIN))
            best = { name, l2, weight, exact, jaccard: jac, answers };
        }
      }
    }
    const b = best!;
    const features = candidates[b.name];
    taxonomy[dim.key] = {
      l2: b.l2,
      options: Object.fromEntries(
        keys.map((k) => [
          k,
          fitSigned(
            features,
            dimRows.map((r) => r.x),
            gold.map((g) => (g.includes(k) ? 1 : 0)),
            ownSign(k),
            { l2: b.l2 },
          ),
        ]),
      ),
      // The set counts are kept even when they do not weigh in: rationales state how common an option is.
      prior: { weight: b.weight, sets: setCounts(gold) },
    };
    cv[`taxonomy.${dim.key}.exact`] = r3(b.exact);
    cv[`taxonomy.${dim.key}.jaccard`] = r3(b.jaccard);
    b.answers.forEach((a, i) => platt.push({ z: logit(a.probability), y: exactSet(a.options, gold[i]!) ? 1 : 0 }));
    log(
      `${dim.key.padEnd(14)} n=${String(dimRows.length).padStart(3)}  cv exact ${b.exact.toFixed(3)}  jaccard ${b.jaccard.toFixed(3)}  (${b.name}, l2 ${b.l2}, set prior ${b.weight})`,
    );
  }
  const dims = Object.keys(taxonomy);
  cv['taxonomy.mean.exact'] = r3(dims.reduce((a, d) => a + cv[`taxonomy.${d}.exact`]!, 0) / dims.length);
  cv['taxonomy.mean.jaccard'] = r3(dims.reduce((a, d) => a + cv[`taxonomy.${d}.jaccard`]!, 0) / dims.length);
  return { taxonomy, calibration: plattScale(platt) };
}

/**
 * Platt scaling: confidence = σ(a · logit(p) + b), fitted on cross-validated (p, correct) pairs. The
 * targets are Platt's own, (N₊ + 1) / (N₊ + 2) for a right answer and 1 / (N₋ + 2) for a wrong one:
 * a small labelled set that was answered right every time (a reviewer who accepted each label) would
 * otherwise fit a confidence of 1 for everything, and the review queue would never show those labels again.
 */
export function plattScale(pairs: readonly { z: number; y: number }[]): { a: number; b: number } {
  const ok = pairs.filter((p) => Number.isFinite(p.z));
  if (ok.length === 0) return { a: 1, b: 0 };
  const right = ok.filter((p) => p.y === 1).length;
  const wrong = ok.length - right;
  const pm = fit(
    ['z'],
    ok.map((p) => ({ z: p.z })),
    ok.map((p) => (p.y === 1 ? (right + 1) / (right + 2) : 1 / (wrong + 2))),
    { l2: 0.01 },
  );
  return { a: r3(pm.weights[0]! / pm.scale[0]!), b: r3(pm.bias - (pm.weights[0]! * pm.mean[0]!) / pm.scale[0]!) };
}

/** The corpus model, learned from scratch. */
export function learnBase(data: Labelled, log: Log): Omit<OfflineModel, 'adaptation'> {
  const cv: Record<string, number> = {};
  const screening = learnScreening(data.articles, cv);
  log(
    `screening is-failure cv P/R/F1 ${cv['screening.isFailure.precision']}/${cv['screening.isFailure.recall']}/${cv['screening.isFailure.f1']} at threshold ${screening.isFailure.threshold}; analyzable cv F1 ${cv['screening.analyzable.f1']}`,
  );
  const extraction = learnExtraction(data.incidents, cv, log);
  const { taxonomy, calibration } = learnTaxonomy(data.incidents, cv, log);
  log(
    `taxonomy cv mean exact ${cv['taxonomy.mean.exact']} / jaccard ${cv['taxonomy.mean.jaccard']}; calibration a=${calibration.a} b=${calibration.b}`,
  );
  return {
    learnedFrom: data.sources.map((s) => s.dir),
    trained: { articles: data.articles.length, incidents: data.incidents.length },
    screening,
    extraction,
    taxonomy,
    calibration,
    crossValidation: cv,
    sources: data.sources,
    tuning: TUNING.hash,
  };
}
