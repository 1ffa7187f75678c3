/**
 * Learns the offline backend's weights (pipeline/backends/offline/model.json) from labelled text
 * written for the project, never from the benchmarks, which stay held out for measuring.
 * - screening: logistic models for "failure report" and "analyzable"; the failure threshold is the
 *   highest that keeps cross-validated recall at RECALL_TARGET;
 * - extraction: per postmortem field, a logistic model of "this sentence states one of the field's
 *   facts" (by the eval harness's fact-matching rule), with a recall-weighted threshold;
 * - taxonomy: one logistic model per option of each dimension over the cue-evidence features; the
 *   feature set and penalty per dimension are picked by cross-validated exact-set match;
 * - calibration: Platt scaling of a chosen set's probability, fitted on the cross-validated answers.
 * Prints the cross-validated figures, which are also stored in the model.
 *
 *   node bin/run-ts.js pipeline/learn/learn-offline.ts [--out model.json] [gold dir ...]
 *   (default: every folder of data/train/parts and data/train/screening, written to pipeline/backends/offline/model.json)
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { POSTMORTEM_FIELDS, TAXONOMY, optionKeys, type GoldIncident } from '../../schemas/index.ts';
import { toArticle } from '../ingest/article.ts';
import { type ArticleDoc, readArticle } from '../backends/offline/evidence.ts';
import { SCREENING_SIGNS, candidateSentences, screeningFeatures, taxonomyEvidence, taxonomyFeatures } from '../backends/offline/features.ts';
import { type Features, fit, fitSigned, predict } from '../backends/offline/logistic.ts';
import { type OfflineModel, type SetPrior, chooseOptions } from '../backends/offline/model.ts';
import { factMatches, splitFacts } from '../../evals/facts.ts';
import { exactSet, jaccard } from '../../evals/metrics/sets.ts';
import { confusion, fromConfusion } from '../../evals/metrics/prf.ts';
import { loadGold } from '../../evals/gold.ts';

const RECALL_TARGET = 0.98;
const FOLDS = 5;
const PENALTIES = [10, 3, 1, 0.3];
const PRIOR_WEIGHTS = [0, 0.5, 1, 2];
/** How much better (cross-validated) a richer feature set or a weaker penalty must be to be chosen. */
const MARGIN = 0.02;
/** Signals that bear on many dimensions at once: who acted, what broke, what kind of system. */
const SHARED = ['objective.malicious', 'dimension.hardware', 'nature.non-human_actions', 'boundary.outside_system', 'cps.true', 'cps.false',
  'consequence.death', 'consequence.harm', 'behaviour.crash', 'docs.articles', 'docs.sentences', 'agents.staff', 'agents.attacker', 'agents.none'];

const root = new URL('../..', import.meta.url).pathname;
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args.splice(outAt, 2)[1]! : join(root, 'pipeline/backends/offline/model.json');
const dirs = args;
if (dirs.length === 0) {
  // Incident parts (screening, extraction, taxonomy) and screening-only parts (articles without incidents).
  for (const group of ['data/train/parts', 'data/train/screening']) {
    const at = join(root, group);
    dirs.push(...readdirSync(at, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(at, d.name)).sort());
  }
}
const sets = await Promise.all(dirs.map((d) => loadGold(d)));
for (const p of sets.flatMap((s) => s.problems)) console.error(`skipped ${p.origin}: ${p.reason}`);
const goldArticles = sets.flatMap((s) => s.articles);
const incidents = sets.flatMap((s) => s.incidents);
const docs = new Map<string, ArticleDoc>(goldArticles.map((g) => [g.id, readArticle(toArticle({ ...g, origin: 'train' }))]));

const fold = (i: number) => i % FOLDS;
const r3 = (v: number) => Number(v.toFixed(3));

/**
 * Out-of-fold predictions: every example predicted by a model that never saw it (nor, through
 * `foldOf`, anything from the same incident).
 */
function crossPredict(features: string[], xs: Features[], ys: number[], l2: number, signs: Record<string, 1 | -1> = {}, foldOf = fold): number[] {
  const out = new Array<number>(xs.length).fill(0);
  for (let k = 0; k < FOLDS; k++) {
    const train = xs.map((_x, i) => i).filter((i) => foldOf(i) !== k);
    const m = fitSigned(features, train.map((i) => xs[i]!), train.map((i) => ys[i]!), signs, { l2 });
    xs.forEach((x, i) => { if (foldOf(i) === k) out[i] = predict(m, x); });
  }
  return out;
}

const cv: Record<string, number> = {};

// ---- screening ------------------------------------------------------------------------------------
const screenRows = goldArticles.map((g) => ({ g, x: screeningFeatures(docs.get(g.id)!) }));
const yFail = screenRows.map((r) => (r.g.gold.isFailure ? 1 : 0));
const screenNames = Object.keys(screenRows[0]!.x);
const pFail = crossPredict(screenNames, screenRows.map((r) => r.x), yFail, 1, SCREENING_SIGNS);
const positives = pFail.filter((_p, i) => yFail[i]).sort((a, b) => a - b);
// The highest threshold that still lets RECALL_TARGET of the failure articles through.
const failThreshold = r3(Math.max(0.05, Math.min(0.5, positives[Math.floor(positives.length * (1 - RECALL_TARGET))]! - 1e-6)));
const prf = (pred: boolean[], gold: number[]) => {
  const s = fromConfusion(confusion(pred.map((p, i) => ({ pred: p, gold: gold[i] === 1 }))));
  return { precision: r3(s.precision ?? 0), recall: r3(s.recall ?? 0), f1: r3(s.f1 ?? 0) };
};
const failCv = prf(pFail.map((p) => p >= failThreshold), yFail);

const anRows = screenRows.filter((r) => r.g.gold.isFailure && r.g.gold.analyzable !== null);
const yAn = anRows.map((r) => (r.g.gold.analyzable ? 1 : 0));
const pAn = crossPredict(screenNames, anRows.map((r) => r.x), yAn, 1, SCREENING_SIGNS);
const anThreshold = 0.5;
const anCv = prf(pAn.map((p) => p >= anThreshold), yAn);

// ---- extraction ---------------------------------------------------------------------------------
// A sentence is a positive for a field when it holds one of the field's gold facts by the harness's own
// matching rule (evals/facts.ts). Threshold: best cross-validated F-beta, recall weighted EXTRACT_BETA times.
const EXTRACT_BETA = 2;
const extraction: OfflineModel['extraction'] = {};
const sentenceRows = incidents.flatMap((inc, n) => {
  const ds = inc.articleIds.map((id) => docs.get(id)).filter((d): d is ArticleDoc => !!d);
  return candidateSentences(ds).map((c) => ({ inc, n, c }));
});
const sentenceNames = Object.keys(sentenceRows[0]!.c.x);
for (const field of POSTMORTEM_FIELDS) {
  const facts = new Map(incidents.map((inc) => [inc.id, splitFacts(inc.gold.postmortem?.[field])]));
  const ys = sentenceRows.map((r) => (facts.get(r.inc.id)!.some((g) => factMatches(g, r.c.s.text)) ? 1 : 0));
  const xs = sentenceRows.map((r) => r.c.x);
  const ps = crossPredict(sentenceNames, xs, ys, 1, { [`cue.${field}`]: 1 }, (i) => fold(sentenceRows[i]!.n));
  let best = { threshold: 0.5, f: -1, precision: 0, recall: 0 };
  for (let t = 0.05; t < 0.9; t += 0.025) {
    const s = fromConfusion(confusion(ps.map((p, i) => ({ pred: p >= t, gold: ys[i] === 1 }))));
    const p = s.precision ?? 0, r = s.recall ?? 0;
    const f = ((1 + EXTRACT_BETA ** 2) * p * r) / Math.max(1e-9, EXTRACT_BETA ** 2 * p + r);
    if (f > best.f) best = { threshold: r3(t), f, precision: p, recall: r };
  }
  extraction[field] = { ...fitSigned(sentenceNames, xs, ys, { [`cue.${field}`]: 1 }, { l2: 1 }), threshold: best.threshold };
  cv[`extraction.${field}.sentenceRecall`] = r3(best.recall);
  cv[`extraction.${field}.sentencePrecision`] = r3(best.precision);
  console.log(`${field.padEnd(24)} sentences ${ys.length} (${ys.filter(Boolean).length} hold a gold fact)  cv P/R ${best.precision.toFixed(3)}/${best.recall.toFixed(3)} at ${best.threshold}`);
}

// ---- taxonomy -------------------------------------------------------------------------------------
type Row = { inc: GoldIncident; x: Features };
const rows: Row[] = incidents.map((inc) => {
  const ds = inc.articleIds.map((id) => docs.get(id)).filter((d): d is ArticleDoc => !!d);
  return { inc, x: taxonomyFeatures(taxonomyEvidence(ds), ds) };
});
const names = Object.keys(rows[0]!.x);
const taxonomy: OfflineModel['taxonomy'] = {};
const platt: { z: number; y: number }[] = [];

for (const dim of TAXONOMY) {
  const dimRows = rows.filter((r) => r.inc.gold.taxonomy[dim.key as keyof GoldIncident['gold']['taxonomy']]);
  const gold = dimRows.map((r) => r.inc.gold.taxonomy[dim.key as keyof GoldIncident['gold']['taxonomy']]!);
  const keys = optionKeys(dim.key);
  const own = names.filter((n) => n.startsWith(`${dim.key}.`));
  // An option's own cues may only speak for it.
  const ownSign = (k: string): Record<string, 1 | -1> => ({ [`${dim.key}.${k}`]: 1 });
  // Own cues plus the shared signals first; every option's cues at once must win clearly (MARGIN).
  const candidates = { shared: [...new Set([...own, ...SHARED])], all: names };
  // Set priors as each fold would have learned them, and as the whole training set gives them.
  const setsOf = (rowsIn: number[]): SetPrior['sets'] => {
    const counts = new Map<string, { options: string[]; count: number }>();
    for (const i of rowsIn) {
      const options = [...gold[i]!].sort();
      const key = options.join(',');
      const c = counts.get(key);
      if (c) c.count++; else counts.set(key, { options, count: 1 });
    }
    return [...counts.values()].sort((a, b) => b.count - a.count || a.options.join().localeCompare(b.options.join()));
  };
  const foldSets = Array.from({ length: FOLDS }, (_x, k) => setsOf(dimRows.map((_r, i) => i).filter((i) => fold(i) !== k)));
  type Choice = { name: string; l2: number; weight: number; exact: number; jaccard: number; answers: { options: string[]; probability: number }[] };
  let best: Choice | null = null;
  for (const [name, features] of Object.entries(candidates)) {
    for (const l2 of PENALTIES) {
      const probs = keys.map((k) => crossPredict(features, dimRows.map((r) => r.x), gold.map((g) => (g.includes(k) ? 1 : 0)), l2, ownSign(k)));
      for (const weight of PRIOR_WEIGHTS) {
        const answers = dimRows.map((_r, i) => chooseOptions(dim, new Map(keys.map((k, j) => [k, probs[j]![i]!])), { weight, sets: foldSets[fold(i)]! }));
        const exact = answers.filter((a, i) => exactSet(a.options, gold[i]!)).length / Math.max(1, answers.length);
        const jac = answers.reduce((acc, a, i) => acc + jaccard(a.options, gold[i]!), 0) / Math.max(1, answers.length);
        // Candidates come simplest first; a richer one must win clearly, since news differs from the training texts.
        if (!best || exact > best.exact + MARGIN || (Math.abs(exact - best.exact) <= MARGIN && jac > best.jaccard + MARGIN)) best = { name, l2, weight, exact, jaccard: jac, answers };
      }
    }
  }
  if (!best || dimRows.length === 0) continue;
  const features = candidates[best.name as keyof typeof candidates];
  taxonomy[dim.key] = {
    l2: best.l2,
    options: Object.fromEntries(keys.map((k) => [k, fitSigned(features, dimRows.map((r) => r.x), gold.map((g) => (g.includes(k) ? 1 : 0)), ownSign(k), { l2: best.l2 })])),
    prior: { weight: best.weight, sets: best.weight > 0 ? setsOf(dimRows.map((_r, i) => i)) : [] },
  };
  cv[`taxonomy.${dim.key}.exact`] = r3(best.exact);
  cv[`taxonomy.${dim.key}.jaccard`] = r3(best.jaccard);
  best.answers.forEach((a, i) => platt.push({ z: Math.log(Math.max(1e-9, a.probability) / Math.max(1e-9, 1 - a.probability)), y: exactSet(a.options, gold[i]!) ? 1 : 0 }));
  console.log(`${dim.key.padEnd(14)} n=${String(dimRows.length).padStart(3)}  cv exact ${best.exact.toFixed(3)}  jaccard ${best.jaccard.toFixed(3)}  (${best.name}, l2 ${best.l2}, set prior ${best.weight})`);
}
const dims = Object.keys(taxonomy);
cv['taxonomy.mean.exact'] = r3(dims.reduce((a, d) => a + cv[`taxonomy.${d}.exact`]!, 0) / dims.length);
cv['taxonomy.mean.jaccard'] = r3(dims.reduce((a, d) => a + cv[`taxonomy.${d}.jaccard`]!, 0) / dims.length);
const pm = fit(['z'], platt.map((p) => ({ z: p.z })), platt.map((p) => p.y), { l2: 0.01 });
const calibration = { a: r3(pm.weights[0]! / pm.scale[0]!), b: r3(pm.bias - (pm.weights[0]! * pm.mean[0]!) / pm.scale[0]!) };

Object.assign(cv, {
  'screening.isFailure.precision': failCv.precision, 'screening.isFailure.recall': failCv.recall, 'screening.isFailure.f1': failCv.f1,
  'screening.analyzable.precision': anCv.precision, 'screening.analyzable.recall': anCv.recall, 'screening.analyzable.f1': anCv.f1,
});
const model: OfflineModel = {
  learnedFrom: dirs.map((d) => d.replace(root, '')),
  trained: { articles: goldArticles.length, incidents: incidents.length },
  screening: {
    isFailure: { ...fitSigned(screenNames, screenRows.map((r) => r.x), yFail, SCREENING_SIGNS, { l2: 1 }), threshold: failThreshold },
    analyzable: { ...fitSigned(screenNames, anRows.map((r) => r.x), yAn, SCREENING_SIGNS, { l2: 1 }), threshold: anThreshold },
  },
  extraction,
  taxonomy,
  calibration,
  crossValidation: cv,
};
writeFileSync(out, `${JSON.stringify(model, null, 1)}\n`);
console.log(`screening is-failure cv P/R/F1 ${failCv.precision}/${failCv.recall}/${failCv.f1} at threshold ${failThreshold}; analyzable cv F1 ${anCv.f1}`);
console.log(`taxonomy cv mean exact ${cv['taxonomy.mean.exact']} / jaccard ${cv['taxonomy.mean.jaccard']}; calibration a=${calibration.a} b=${calibration.b}`);
console.log(`wrote ${out}: ${goldArticles.length} articles, ${incidents.length} incidents from ${dirs.length} folder(s)`);
