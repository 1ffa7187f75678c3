import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../pipeline/store/store.ts';
import { recordDecision } from '../pipeline/review/decisions.ts';
import { failscope } from './cli-in-process.ts';
import { tempDir } from './fixtures.ts';
import type { MetricDelta } from '../evals/compare.ts';

/**
 * The review loop end to end: a reviewer corrects labels in the way their team labels (here: every
 * failure's behaviour is "other", and its duration "unknown"), `review export` turns the decisions into
 * gold, `learn` fits a model to that gold, and `eval compare` shows what changed, with intervals. The
 * model learned from the gold it is scored on, so that eval is cross-fitted.
 */
const tmp = tempDir('failscope-review-loop-');
afterAll(() => tmp.cleanup());
const at = (name: string) => join(tmp.dir, name);

describe('review decisions → review export → learn → eval compare', () => {
  it('learns the reviewer\'s conventions, and eval compare shows the change with an interval', async () => {
    const ok = async (...args: string[]) => { const r = await failscope(...args); expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0); return r; };
    await ok('run', 'data/sample/articles.jsonl', '--db', at('run.db'));
    const store = new Store(at('run.db'));
    try {
      for (const inc of store.incidents.list()) {
        recordDecision(store, { incidentId: inc.id, kind: 'label', target: 'behaviour', action: 'change', options: ['other'], reviewer: 'Tess' });
        recordDecision(store, { incidentId: inc.id, kind: 'label', target: 'duration', action: 'change', options: ['unknown'], reviewer: 'Tess' });
      }
    } finally {
      store.close();
    }
    await ok('review', 'export', '--db', at('run.db'), '--out', at('gold'));
    // A small corpus keeps the test quick; the figures in the README use the shipped one.
    await ok('learn', '--base', 'data/train/parts/p1', '--out', at('before.json'));
    await ok('learn', '--base', 'data/train/parts/p1', '--gold', at('gold'), '--from', at('before.json'), '--out', at('after.json'));
    await ok('eval', '--gold', at('gold'), '--model-file', at('before.json'), '--out', at('ev-before'));
    const after = await ok('eval', '--gold', at('gold'), '--model-file', at('after.json'), '--out', at('ev-after'), '--folds', '4');
    expect(after.stderr).toMatch(/cross-fitting, 4 folds by incident/);
    expect(readFileSync(join(at('ev-after'), 'summary.md'), 'utf8')).toMatch(/cross-fitted/);

    const cmp = await ok('eval', 'compare', at('ev-before'), at('ev-after'), '--json', '--all');
    const deltas = JSON.parse(cmp.stdout).deltas as MetricDelta[];
    const behaviour = deltas.find((d) => d.key === 'taxonomy.behaviour.exact')!;
    expect(behaviour.b).toBeGreaterThan(behaviour.a!);
    expect(behaviour.lo).toBeGreaterThan(0);
    expect(behaviour.verdict).toBe('better');
    const duration = deltas.find((d) => d.key === 'taxonomy.duration.exact')!;
    expect(duration.b).toBe(1);
  }, 240_000);
});
