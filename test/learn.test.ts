import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TUNING_DIR, readTuning } from '../pipeline/backends/offline/tuning.ts';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { type Adaptation, OfflineModel } from '../pipeline/backends/offline/model.ts';
import { neighbours } from '../pipeline/backends/offline/adapted.ts';
import { learnModel } from '../pipeline/learn/learn.ts';
import { hashOf } from '../pipeline/text/hash.ts';
import { toArticle } from '../pipeline/ingest/article.ts';
import { loadGold } from '../evals/gold.ts';
import { CrossFitBackend, crossFitted, goldFolds } from '../evals/crossfit.ts';
import { ROOT, runCli } from './cli-runner.ts';
import { RAW, tempDir } from './fixtures.ts';

const tmp = tempDir('failscope-learn-');
afterAll(() => tmp.cleanup());

/** A copy of the tuning folder with one value changed. */
function tuningWith(edit: (settings: Record<string, any>) => void, name: string): string {
  const dir = join(tmp.dir, name);
  cpSync(DEFAULT_TUNING_DIR, dir, { recursive: true });
  const file = join(dir, 'settings.json');
  const settings = JSON.parse(readFileSync(file, 'utf8'));
  edit(settings);
  writeFileSync(file, JSON.stringify(settings));
  return dir;
}

describe('the offline backend\'s tuning is data', () => {
  it('changing the hedge weight, or any other value, changes the hash every job depends on', () => {
    const base = readTuning(DEFAULT_TUNING_DIR);
    const hedge = readTuning(tuningWith((s) => { s.polarity.hedgedWeight = 0.5; }, 'hedge'));
    const window = readTuning(tuningWith((s) => { s.polarity.window = 81; }, 'window'));
    expect(hedge.settings.polarity.hedgedWeight).toBe(0.5);
    expect(new Set([base.hash, hedge.hash, window.hash]).size).toBe(3);
  });

  it('a run after the hedge weight changed makes every record again, instead of keeping stale ones', async () => {
    const db = join(tmp.dir, 'rerun.db');
    const input = join(tmp.dir, 'two.jsonl');
    writeFileSync(input, [JSON.stringify({ id: 'b1', ...RAW.bank1 }), JSON.stringify({ id: 'c1', ...RAW.car })].join('\n'));
    const first = await runCli(['run', input, '--db', db, '--json']);
    const again = await runCli(['run', '--db', db, '--json']);
    const changed = await runCli(['run', '--db', db, '--json'], undefined, { FAILSCOPE_OFFLINE_TUNING: tuningWith((s) => { s.polarity.hedgedWeight = 0.5; }, 'rerun') });
    const screened = (r: { stdout: string }) => JSON.parse(r.stdout.trim().split('\n').at(-1)!).stages.find((st: { stage: string }) => st.stage === 'screen');
    expect(first.code, first.stderr).toBe(0);
    expect(screened(first)).toMatchObject({ done: 2 });
    expect(screened(again)).toMatchObject({ done: 0, skipped: 2 });
    expect(screened(changed)).toMatchObject({ done: 2, skipped: 0 });
  }, 120_000);

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
describe('learning the user\'s labels, and cross-fitting when scoring them', () => {
  const PLANTED = { incident: 's-inc-03', dimension: 'domain', options: ['natural_resources'] } as const;
  const target = join(tmp.dir, 'target');
  let model: OfflineModel;
  beforeAll(async () => {
    cpSync(join(ROOT, 'data/sample'), target, { recursive: true });
    const file = join(target, 'incidents.jsonl');
    const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const r of rows) if (r.id === PLANTED.incident) r.gold.taxonomy[PLANTED.dimension] = PLANTED.options;
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    model = await learnModel({ base: [join(ROOT, 'data/train/parts/p1')], target: [target] });
  }, 120_000);

  const xOf = async (m: OfflineModel, incidentId: string) => {
    const gold = await loadGold(target);
    const inc = gold.incidents.find((i) => i.id === incidentId)!;
    const articles = inc.articleIds.map((id) => toArticle({ ...gold.articles.find((a) => a.id === id)!, origin: 'test' }));
    const backend = new OfflineBackend({ loaded: { file: 'test', model: m, hash: hashOf(m) } });
    const labels = await backend.classify({ id: inc.id, articleIds: inc.articleIds, published: null }, articles);
    return { labels, articles };
  };

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
    const cf = await crossFitted(backend, gold, { folds: 4 });
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
  }, 120_000);

  it('gives the model\'s hash to provenance, so another model re-runs every job', () => {
    const shipped = new OfflineBackend();
    const learned = new OfflineBackend({ loaded: { file: '/x/learned.json', model, hash: hashOf(model) } });
    expect(learned.model).toBe(`learned@${hashOf(model).slice(0, 8)}`);
    expect(learned.model).not.toBe(shipped.model);
    expect(learned.promptHash('classify')).not.toBe(shipped.promptHash('classify'));
  });
});
