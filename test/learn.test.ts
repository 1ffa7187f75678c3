import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TUNING_DIR, readTuning } from '../pipeline/backends/offline/tuning.ts';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { type Adaptation, OfflineModel } from '../pipeline/backends/offline/model.ts';
import { loadModel } from '../pipeline/backends/offline/learned.ts';
import { FACT_FIELDS } from '../pipeline/backends/offline/fact-fields.ts';
import { neighbours } from '../pipeline/backends/offline/adapted.ts';
import { learnModel } from '../pipeline/learn/learn.ts';
import { plattScale } from '../pipeline/learn/base.ts';
import { hashOf } from '../pipeline/text/hash.ts';
import { toArticle } from '../pipeline/ingest/article.ts';
import { recordDecision } from '../pipeline/review/decisions.ts';
import { Store } from '../pipeline/store/store.ts';
import { loadGold } from '../evals/gold.ts';
import type { MetricDelta } from '../evals/compare.ts';
import { CrossFitBackend, crossFitted, goldFolds } from '../evals/crossfit.ts';
import { ROOT, runCli } from './cli-runner.ts';
import { type InProcessResult, failscope } from './cli-in-process.ts';
import { RAW, tempDir } from './fixtures.ts';

const tmp = tempDir('failscope-learn-');
afterAll(() => tmp.cleanup());
const at = (name: string) => join(tmp.dir, name);

/**
 * Learning a corpus part takes most of a learner test's time, and it is the same work whatever is fitted
 * to it: it is learned once here, by the CLI, from one training part, and every test below reuses it.
 */
const P1 = 'data/train/parts/p1';
const BASE = at('base.json');
let learned: InProcessResult;
beforeAll(async () => {
  learned = await failscope('learn', '--base', P1, '--out', BASE, '--json');
});

describe('failscope learn', () => {
  it('learns a complete model from a labelled folder and reports cross-validated figures', () => {
    expect(learned.code, learned.stderr).toBe(0);
    expect(learned.stderr).toMatch(/taxonomy cv mean exact \d\.\d+/);
    const model = OfflineModel.parse(JSON.parse(readFileSync(BASE, 'utf8')));
    expect(model.learnedFrom).toEqual([P1]);
    expect(model.trained).toEqual({ articles: 50, incidents: 18 });
    expect(model.adaptation).toBeNull();
    expect(Object.keys(model.taxonomy)).toHaveLength(16);
    // Every field the offline backend extracts by model (the time comes from dates, not from a model).
    expect(Object.keys(model.extraction).sort()).toEqual([...FACT_FIELDS].sort());
    expect(JSON.parse(learned.stdout).crossValidation['screening.isFailure.recall']).toBeGreaterThan(0.5);
  });
});

/** A copy of the tuning folder with one value changed. */
function tuningWith(edit: (settings: { polarity: Record<string, number> }) => void, name: string): string {
  const dir = join(tmp.dir, name);
  cpSync(DEFAULT_TUNING_DIR, dir, { recursive: true });
  const file = join(dir, 'settings.json');
  const settings = JSON.parse(readFileSync(file, 'utf8'));
  edit(settings);
  writeFileSync(file, JSON.stringify(settings));
  return dir;
}

describe("the offline backend's tuning is data", () => {
  it('changing the hedge weight, or any other value, changes the hash every job depends on', () => {
    const base = readTuning(DEFAULT_TUNING_DIR);
    const hedge = readTuning(
      tuningWith((s) => {
        s.polarity.hedgedWeight = 0.5;
      }, 'hedge'),
    );
    const window = readTuning(
      tuningWith((s) => {
        s.polarity.window = 81;
      }, 'window'),
    );
    expect(hedge.settings.polarity.hedgedWeight).toBe(0.5);
    expect(new Set([base.hash, hedge.hash, window.hash]).size).toBe(3);
  });

  it('a run after the hedge weight changed makes every record again, instead of keeping stale ones', async () => {
    const db = join(tmp.dir, 'rerun.db');
    const input = join(tmp.dir, 'two.jsonl');
    writeFileSync(input, [JSON.stringify({ id: 'b1', ...RAW.bank1 }), JSON.stringify({ id: 'c1', ...RAW.car })].join('\n'));
    const first = await failscope('run', input, '--db', db, '--json');
    const again = await failscope('run', '--db', db, '--json');
    // The tuning is read once per process: the changed one needs a process of its own.
    const changed = await runCli(['run', '--db', db, '--json'], undefined, {
      FAILSCOPE_OFFLINE_TUNING: tuningWith((s) => {
        s.polarity.hedgedWeight = 0.5;
      }, 'rerun'),
    });
    const screened = (r: { stdout: string }) =>
      JSON.parse(r.stdout.trim().split('\n').at(-1)!).stages.find((st: { stage: string }) => st.stage === 'screen');
    expect(first.code, first.stderr).toBe(0);
    expect(screened(first)).toMatchObject({ done: 2 });
    expect(screened(again)).toMatchObject({ done: 0, skipped: 2 });
    expect(screened(changed)).toMatchObject({ done: 2, skipped: 0 });
  });

  it('re-indenting a file changes nothing', () => {
    expect(readTuning(tuningWith(() => {}, 'same')).hash).toBe(readTuning(DEFAULT_TUNING_DIR).hash);
  });

  it('a cue list under a key the taxonomy does not have is an error naming the file and the key', () => {
    const dir = join(tmp.dir, 'bad-key');
    cpSync(DEFAULT_TUNING_DIR, dir, { recursive: true });
    const file = join(dir, 'lexicons.json');
    const lex = JSON.parse(readFileSync(file, 'utf8'));
    lex.options.phase.desing = lex.options.phase.design;
    writeFileSync(file, JSON.stringify(lex));
    expect(() => readTuning(dir)).toThrow(/lexicons\.json: options\.phase\.desing: "desing" is not an option of phase/);
  });
});

/**
 * A small corpus (one training part) and a target gold (the sample) with one label planted that no other
 * incident has: a finance incident labelled natural_resources. If an item ever saw its own labels, the
 * planted option could reach its own prediction.
 */
describe("learning the user's labels, and cross-fitting when scoring them", () => {
  const PLANTED = { incident: 's-inc-03', dimension: 'domain', options: ['natural_resources'] } as const;
  const target = at('target');
  let model: OfflineModel;
  beforeAll(async () => {
    cpSync(join(ROOT, 'data/sample'), target, { recursive: true });
    const file = join(target, 'incidents.jsonl');
    const rows = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const r of rows) if (r.id === PLANTED.incident) r.gold.taxonomy[PLANTED.dimension] = PLANTED.options;
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    model = await learnModel({ base: [join(ROOT, P1)], target: [target], from: loadModel(BASE) });
  });

  const xOf = async (m: OfflineModel, incidentId: string) => {
    const gold = await loadGold(target);
    const inc = gold.incidents.find((i) => i.id === incidentId)!;
    const articles = inc.articleIds.map((id) => toArticle({ ...gold.articles.find((a) => a.id === id)!, origin: 'test' }));
    const backend = new OfflineBackend({ loaded: { file: 'test', model: m, hash: hashOf(m) } });
    const labels = await backend.classify({ id: inc.id, articleIds: inc.articleIds, published: null }, articles);
    return { labels, articles };
  };

  it('with articles but no labelled incident, fits no taxonomy and says so, instead of reporting a cross-validated 0', async () => {
    const articlesOnly = at('articles-only');
    mkdirSync(articlesOnly, { recursive: true });
    cpSync(join(ROOT, 'data/sample/articles.jsonl'), join(articlesOnly, 'articles.jsonl'));
    const lines: string[] = [];
    const m = await learnModel({
      base: [join(ROOT, P1)],
      target: [articlesOnly],
      from: { file: 'corpus', model, hash: 'x' },
      log: (l) => lines.push(l),
    });
    expect(m.adaptation!.taxonomy).toEqual({});
    expect(m.adaptation!.crossValidation['taxonomy.mean.exact']).toBeUndefined();
    expect(lines).toContain('taxonomy: no labelled incident in the target folders, so the corpus model labels as before');
    expect(lines.join('\n')).not.toMatch(/mean exact 0 /);
  });

  it('records what it learned from, fitted a layer per dimension, and learned the planted set', () => {
    expect(OfflineModel.parse(model).adaptation).not.toBeNull();
    const a = model.adaptation!;
    expect(a.sources[0]!.incidents).toContain(PLANTED.incident);
    expect(Object.keys(a.taxonomy).length).toBeGreaterThanOrEqual(13);
    expect(a.taxonomy.domain!.prior.sets.some((s) => s.options.join() === PLANTED.options.join())).toBe(true);
  });

  it('without cross-fitting, the planted incident is its own nearest labelled neighbour: leakage', () => {
    const a = model.adaptation!;
    const own = a.knn.pool.find((p) => p.incident === PLANTED.incident)!;
    const x = Object.fromEntries(a.knn.keys.map((k, i) => [k, own.x[i]! * a.knn.scale[i]! + a.knn.mean[i]!]));
    expect(neighbours(a, x, PLANTED.dimension)[0]!.incident).toBe(PLANTED.incident);
  });

  it('cross-fitted, the version answering an incident never saw its labels or its articles, and the planted option never reaches it', async () => {
    const gold = await loadGold(target);
    const backend = new OfflineBackend({ loaded: { file: 'learned', model, hash: hashOf(model) } });
    const cf = await crossFitted(backend, gold, { folds: 2 });
    expect(cf.crossFit).toMatchObject({ learnedIncidents: 12 });
    expect(cf.backend).toBeInstanceOf(CrossFitBackend);
    const folds = goldFolds(gold, cf.crossFit!.folds);
    const versions = (cf.backend as unknown as { versions: OfflineBackend[] }).versions;
    for (const inc of gold.incidents) {
      const v = versions[folds.incidentFold.get(inc.id)!]!.loaded.model.adaptation as Adaptation;
      expect(v.sources.flatMap((s) => s.incidents)).toContain(inc.id); // the folder is named...
      expect(v.knn.pool.map((p) => p.incident)).not.toContain(inc.id); // ...but nothing of the incident was learned
      expect(v.trained.incidents).toBeLessThan(12);
      expect(v.trained.articles).toBeLessThanOrEqual(37 - inc.articleIds.length);
    }
    const planted = versions[folds.incidentFold.get(PLANTED.incident)!]!.loaded.model;
    expect(planted.adaptation!.taxonomy.domain!.prior.sets.some((s) => s.options.join() === PLANTED.options.join())).toBe(false);
    const { labels } = await xOf(planted, PLANTED.incident);
    expect(labels.find((l) => l.dimension === PLANTED.dimension)!.options).not.toContain(PLANTED.options[0]);
  });

  it('keeps the fold models: the same eval again learns nothing and answers with the same models; stale or garbled files are not used', async () => {
    const gold = await loadGold(target);
    const backend = new OfflineBackend({ loaded: { file: 'learned', model, hash: hashOf(model) } });
    const cacheDir = join(tmp.dir, 'folds');
    const hashes = (cf: { backend: unknown }) => (cf.backend as { versions: OfflineBackend[] }).versions.map((v) => v.loaded.hash);
    const logs: string[][] = [[], []];
    const first = await crossFitted(backend, gold, { folds: 2, cacheDir, log: (l) => logs[0]!.push(l) });
    const kept = readdirSync(cacheDir).sort();
    expect(kept).toHaveLength(2);
    writeFileSync(join(cacheDir, kept[0]!), 'garbled');
    writeFileSync(join(cacheDir, 'fold-0123abcd.json.gz'), 'made for another model');
    const second = await crossFitted(backend, gold, { folds: 2, cacheDir, log: (l) => logs[1]!.push(l) });
    const learnedAgain = (ls: string[]) => ls.filter((l) => / learned without/.test(l)).length;
    expect(learnedAgain(logs[0]!)).toBe(2);
    expect(learnedAgain(logs[1]!)).toBe(1);
    expect(logs[1]!.filter((l) => /as learned by an earlier eval/.test(l))).toHaveLength(1);
    expect(hashes(second)).toEqual(hashes(first));
    expect(readdirSync(cacheDir).sort()).toEqual(kept);
  });

  it("gives the model's hash to provenance, so another model re-runs every job", () => {
    const shipped = new OfflineBackend();
    const learned = new OfflineBackend({ loaded: { file: '/x/learned.json', model, hash: hashOf(model) } });
    expect(learned.model).toBe(`learned@${hashOf(model).slice(0, 8)}`);
    expect(learned.model).not.toBe(shipped.model);
    expect(learned.promptHash('classify')).not.toBe(shipped.promptHash('classify'));
  });
});

/**
 * The review loop end to end: a reviewer corrects labels in the way their team labels (here: every
 * failure's behaviour is "other", and its duration "unknown"), `review export` turns the decisions into
 * gold, `learn` fits a model to that gold, and `eval compare` shows what changed, with intervals. The
 * model learned from the gold it is scored on, so that eval is cross-fitted.
 */
describe('review decisions → review export → learn → eval compare', () => {
  it("learns the reviewer's conventions, and eval compare shows the change with an interval", async () => {
    const ok = async (...args: string[]) => {
      const r = await failscope(...args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
      return r;
    };
    await ok('run', 'data/sample/articles.jsonl', '--db', at('run.db'));
    const store = new Store(at('run.db'));
    try {
      for (const inc of store.incidents.list()) {
        recordDecision(store, {
          incidentId: inc.id,
          kind: 'label',
          target: 'behaviour',
          action: 'change',
          options: ['other'],
          reviewer: 'Tess',
        });
        recordDecision(store, {
          incidentId: inc.id,
          kind: 'label',
          target: 'duration',
          action: 'change',
          options: ['unknown'],
          reviewer: 'Tess',
        });
      }
    } finally {
      store.close();
    }
    await ok('review', 'export', '--db', at('run.db'), '--out', at('gold'));
    // The corpus part is the one learned above; the README's figures use the shipped one.
    const fitted = await ok('learn', '--base', P1, '--gold', at('gold'), '--from', BASE, '--out', at('after.json'));
    expect(fitted.stderr).toMatch(/corpus part reused/);
    await ok('eval', '--gold', at('gold'), '--model-file', BASE, '--out', at('ev-before'));
    const after = await ok('eval', '--gold', at('gold'), '--model-file', at('after.json'), '--out', at('ev-after'), '--folds', '2');
    expect(after.stderr).toMatch(/cross-fitting, 2 folds by incident/);
    expect(readFileSync(join(at('ev-after'), 'summary.md'), 'utf8')).toMatch(/cross-fitted/);

    const cmp = await ok('eval', 'compare', at('ev-before'), at('ev-after'), '--json', '--all');
    const deltas = JSON.parse(cmp.stdout).deltas as MetricDelta[];
    const behaviour = deltas.find((d) => d.key === 'taxonomy.behaviour.exact')!;
    expect(behaviour.b).toBeGreaterThan(behaviour.a!);
    expect(behaviour.lo).toBeGreaterThan(0);
    expect(behaviour.verdict).toBe('better');
    const duration = deltas.find((d) => d.key === 'taxonomy.duration.exact')!;
    expect(duration.b).toBe(1);
  });
});

describe('calibration', () => {
  it("fits Platt's smoothed targets: answers that were all right give a high confidence short of certainty", () => {
    const allRight = Array.from({ length: 18 }, (_, i) => ({ z: -1 + i / 9, y: 1 }));
    const c = plattScale(allRight);
    const confidence = 1 / (1 + Math.exp(-(c.a * 0.5 + c.b)));
    // (18 + 1) / (18 + 2) = 0.95, not the 1.0 a fit to raw 0/1 targets runs off to.
    expect(confidence).toBeGreaterThan(0.9);
    expect(confidence).toBeLessThan(0.97);
    // With wrong answers among them, a higher score still means a higher confidence.
    const mixed = [...allRight, ...Array.from({ length: 10 }, (_, i) => ({ z: -2 + i / 10, y: 0 }))];
    expect(plattScale(mixed).a).toBeGreaterThan(0);
  });
});

describe('a model file learned with other tuning or code', () => {
  it('is used, with a warning that its figures need not hold; the shipped model gets none', () => {
    const shipped = loadModel();
    const said: string[] = [];
    new OfflineBackend({ loaded: shipped, log: (l) => said.push(l) });
    expect(said).toEqual([]);
    const old = { ...shipped, file: 'team.json', model: { ...shipped.model, tuning: 'learned-before' } };
    new OfflineBackend({ loaded: old, log: (l) => said.push(l) });
    expect(said).toEqual([expect.stringMatching(/^warning: team\.json was learned with other tuning or code .*learn it again/)]);
  });

  it('on the command line, the warning follows the line naming the backend', async () => {
    const file = at('learned-before.json');
    writeFileSync(file, JSON.stringify({ ...loadModel().model, tuning: 'learned-before' }));
    const r = await failscope('run', '--db', at('warned.db'), '--model-file', file);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(/^failscope · backend offline \(learned-before@/);
    expect(lines[1]).toMatch(/^warning: .*learned-before\.json was learned with other tuning or code/);
  });
});
