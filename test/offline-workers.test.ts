import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { Turns } from '../pipeline/jobs/turns.ts';
import { failscope } from './cli-in-process.ts';
import { ROOT } from './cli-runner.ts';
import { fixture } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'failscope-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The exported records of a run of the sample with `workers` threads; run ids differ by nature. */
async function records(workers: number): Promise<string> {
  const db = join(dir, `w${workers}.db`),
    out = join(dir, `w${workers}.json`);
  // Threads from the first job: the sample is smaller than the runs that start them by default.
  const config = join(dir, 'threads.config.json');
  writeFileSync(config, JSON.stringify({ offline: { workersAfterJobs: 0 } }));
  const run = await failscope(
    'run',
    join(ROOT, 'data', 'sample', 'articles.jsonl'),
    '--db',
    db,
    '--workers',
    String(workers),
    '--config',
    config,
    '--json',
  );
  expect(run.code, run.stderr).toBe(0);
  expect((await failscope('export', '--format', 'json', '--db', db, '--out', out)).code).toBe(0);
  return readFileSync(out, 'utf8').replace(/"runId": "[^"]*"/g, '"runId": "-"');
}

describe('offline worker threads', () => {
  it('give the same records with 1 and 2 workers', async () => {
    const [one, two] = [await records(1), await records(2)];
    expect(JSON.parse(one).incidents.length).toBeGreaterThan(5);
    expect(two).toBe(one);
  });

  it('answer in a thread as in this one, and fail a job with the thread error', async () => {
    const article = fixture('bank1');
    const here = new OfflineBackend(),
      threads = new OfflineBackend({ workers: 2, workersAfterJobs: 16 });
    try {
      const expected = await here.screen(article);
      // The main thread answers until a thread has loaded; then the threads take every job.
      while (threads.threadJobs() < 8) {
        expect(await Promise.all(Array.from({ length: 8 }, () => threads.screen(article)))).toEqual(Array(8).fill(expected));
        await new Promise((r) => setTimeout(r, 20));
      }
      const broken = [undefined as unknown as typeof article];
      const why = await here.extract(null as never, broken).catch((e: Error) => e.message);
      expect(why).toMatch(/undefined/);
      await expect(threads.extract(null as never, broken)).rejects.toThrow(why as string);
    } finally {
      await threads.close();
    }
  });

  it('does a job again in the main thread when its thread dies, and stops starting a thread that cannot load', async () => {
    const article = fixture('bank1');
    const expected = await new OfflineBackend().screen(article);
    const threads = new OfflineBackend({ workers: 2, workersAfterJobs: 16 });
    try {
      while (threads.threadJobs() === 0) {
        await threads.screen(article);
        await new Promise((r) => setTimeout(r, 20));
      }
      const calls = Array.from({ length: 8 }, () => threads.screen(article));
      const pool = (threads as unknown as { pool: { threads: { worker: { terminate(): Promise<number> } | null }[] } }).pool;
      await Promise.all(pool.threads.map((t) => t.worker?.terminate()));
      expect(await Promise.all(calls)).toEqual(Array(8).fill(expected));
    } finally {
      await threads.close();
    }
    const starved = new OfflineBackend({ workers: 2, workerHeapMb: 4, workersAfterJobs: 16 });
    try {
      for (let i = 0; i < 30; i++) {
        expect(await starved.screen(article)).toEqual(expected);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(starved.threadJobs()).toBe(0);
      expect((starved as unknown as { pool: { starts: number } }).pool.starts).toBe(2);
    } finally {
      await starved.close();
    }
  });
});

describe('turns', () => {
  it('lets a key go once every earlier key is released, whatever order they finish in', async () => {
    const turns = new Turns(['a', 'b', 'c']);
    const order: string[] = [];
    const c = turns.wait('c').then(() => order.push('c'));
    const b = turns.wait('b').then(() => order.push('b'));
    await turns.wait('a');
    order.push('a');
    turns.release('c');
    turns.release('a');
    await b;
    expect(order).toEqual(['a', 'b']);
    turns.release('b');
    await c;
    expect(order).toEqual(['a', 'b', 'c']);
  });
});
