/**
 * Performance benchmark of the offline pipeline: wall time per stage, articles per second and peak
 * memory, on the project sample and (when ../shared is beside the repo) on Ko et al.'s 974 articles.
 * Prints figures; asserts nothing (tests check behaviour, benchmarks measure).
 *
 *   npm run bench
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../pipeline/store/store.ts';
import { ingest } from '../../pipeline/ingest/ingest.ts';
import { OfflineBackend } from '../../pipeline/backends/offline/index.ts';
import { runPipeline } from '../../pipeline/run.ts';
import type { RunEvent } from '../../pipeline/jobs/events.ts';

async function bench(name: string, input: string): Promise<void> {
  if (!existsSync(input)) { console.log(`${name}: skipped (${input} not found)`); return; }
  const dir = mkdtempSync(join(tmpdir(), 'failscope-bench-'));
  const store = new Store(join(dir, 'bench.db'));
  try {
    const t0 = performance.now();
    const ing = await ingest(store, [input]);
    const tIngest = performance.now() - t0;
    const stageStart = new Map<string, number>();
    const stageMs: Record<string, number> = {};
    const onEvent = (e: RunEvent) => {
      if (e.type === 'stage') stageStart.set(e.stage, performance.now());
      if (e.type === 'stage-done') stageMs[e.stage] = performance.now() - (stageStart.get(e.stage) ?? performance.now());
    };
    const t1 = performance.now();
    const summary = await runPipeline(store, new OfflineBackend(), { settings: { backend: 'offline', model: 'default', concurrency: 4, cache: true }, onEvent });
    const tRun = performance.now() - t1;
    const t2 = performance.now();
    const again = await runPipeline(store, new OfflineBackend(), { settings: { backend: 'offline', model: 'default', concurrency: 4, cache: true } });
    const tRerun = performance.now() - t2;
    const total = tIngest + tRun;
    console.log(`${name}: ${ing.inserted} articles → ${summary.incidents} incidents, ${summary.labels} labels, ${summary.citations.verified} verified citations`);
    console.log(`  ingest ${tIngest.toFixed(0)} ms; ${Object.entries(stageMs).map(([s, ms]) => `${s} ${ms.toFixed(0)} ms`).join(', ')}`);
    console.log(`  pipeline ${(tRun / 1000).toFixed(2)} s, ${(ing.inserted / (total / 1000)).toFixed(1)} articles/s end to end (ingest included)`);
    console.log(`  re-run with nothing changed: ${tRerun.toFixed(0)} ms, ${again.stages.reduce((n, s) => n + s.done, 0)} jobs done`);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await bench('sample', 'data/sample/articles.jsonl');
await bench('ko', join('..', 'shared', 'benchmarks', 'ko', 'articles.jsonl'));
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
