import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { runPipeline, type RunSummary } from '../pipeline/run.ts';
import { LeaseLost, Store } from '../pipeline/store/store.ts';
import type { RunSettings } from '../schemas/index.ts';
import { ROOT, runCli } from './cli-runner.ts';
import { failscope } from './cli-in-process.ts';
import { allFixtures, fixture, tempDir, writeFixturesJsonl } from './fixtures.ts';

const SETTINGS: RunSettings = { backend: 'offline', model: 'm', concurrency: 2, cache: true };
// The heartbeat timer never fires within a test: tests beat by hand and move the clock, so nothing
// depends on timing. A run waiting for another looks again after 1 ms.
const LEASES = { leaseMs: 1000, heartbeatMs: 3_600_000, waitMs: 1 };

let dir: ReturnType<typeof tempDir>;
let now: number;
const opened: Store[] = [];
/** Another connection to the shared database, as another process would open it, on the test's clock. */
const open = (file = 'shared.db') => {
  const s = new Store(join(dir.dir, file), { jobs: LEASES, clock: () => now });
  opened.push(s);
  return s;
};
beforeEach(() => {
  dir = tempDir('failscope-leases-');
  now = 1_000_000;
});
afterEach(() => {
  for (const s of opened.splice(0)) {
    try {
      s.close();
    } catch {
      /* closed by the test */
    }
  }
  dir.cleanup();
});

describe('job leases', () => {
  it('a job is claimed once: held while its run lives, then done for everyone', () => {
    const a = open(),
      b = open();
    const ra = a.runs.start(SETTINGS).id,
      rb = b.runs.start(SETTINGS).id;
    a.articles.insert([fixture('bank1')]);
    expect(a.jobs.claim('screen', 'bank1', 'h', ra)).toBe('claimed');
    expect(b.jobs.claim('screen', 'bank1', 'h', rb)).toBe('held');
    expect(a.jobs.claim('screen', 'bank1', 'h', ra)).toBe('held');
    a.jobs.complete('screen', 'bank1', 'h', ra, () => {});
    expect(b.jobs.claim('screen', 'bank1', 'h', rb)).toBe('done');
    // New inputs make it a new job.
    expect(b.jobs.claim('screen', 'bank1', 'h2', rb)).toBe('claimed');
    expect(b.jobs.forStage('screen').get('bank1')).toMatchObject({ state: 'running', leaseOwner: rb, attempts: 2 });
  });

  it('a heartbeat keeps a lease; without one it expires, the job is taken over, and the late result is refused', () => {
    const a = open(),
      b = open();
    const ra = a.runs.start(SETTINGS).id,
      rb = b.runs.start(SETTINGS).id;
    expect(a.jobs.claim('extract', 'inc-1', 'h', ra)).toBe('claimed');
    now += 900;
    a.jobs.heartbeat(ra);
    b.jobs.heartbeat(rb);
    now += 900;
    expect(b.jobs.claim('extract', 'inc-1', 'h', rb)).toBe('held');
    // Run a stops beating (its process hangs or died on another machine); b's lease is kept alive.
    b.jobs.heartbeat(rb);
    now += 200;
    expect(b.jobs.claim('extract', 'inc-1', 'h', rb)).toBe('claimed');
    expect(() =>
      a.jobs.complete('extract', 'inc-1', 'h', ra, () => {
        throw new Error('must not be written');
      }),
    ).toThrow(LeaseLost);
    expect(() => a.jobs.fail('extract', 'inc-1', 'h', ra, 'late')).toThrow(LeaseLost);
    b.jobs.complete('extract', 'inc-1', 'h', rb, () => {});
    expect(b.jobs.forStage('extract').get('inc-1')).toMatchObject({ state: 'done', runId: rb, leaseOwner: null });
  });

  it("recoverInterrupted reclaims only expired leases, never a live run's", () => {
    const a = open(),
      b = open();
    const ra = a.runs.start(SETTINGS).id;
    a.jobs.claim('classify', 'inc-1', 'h', ra);
    const rb = b.runs.start(SETTINGS).id;
    expect(b.runs.recoverInterrupted()).toBe(0);
    expect(b.runs.list().map((r) => [r.id, r.status])).toEqual([
      [ra, 'running'],
      [rb, 'running'],
    ]);
    expect(b.jobs.forStage('classify').get('inc-1')).toMatchObject({ state: 'running', leaseOwner: ra });
    now += 1001;
    b.jobs.heartbeat(rb);
    expect(b.runs.recoverInterrupted()).toBe(1);
    expect(b.runs.list().map((r) => [r.id, r.status])).toEqual([
      [ra, 'interrupted'],
      [rb, 'running'],
    ]);
    expect(b.jobs.forStage('classify').get('inc-1')).toMatchObject({ state: 'pending', leaseOwner: null });
  });

  it('a stage is leased to one run at a time, and passes on when its holder finishes or dies', () => {
    const a = open(),
      b = open(),
      c = open();
    const ra = a.runs.start(SETTINGS).id,
      rb = b.runs.start(SETTINGS).id,
      rc = c.runs.start(SETTINGS).id;
    expect(a.jobs.leaseStage('group', ra)).toBe(true);
    expect(b.jobs.leaseStage('group', rb)).toBe(false);
    a.jobs.releaseStage('group', ra);
    expect(b.jobs.leaseStage('group', rb)).toBe(true);
    expect(c.jobs.leaseStage('group', rc)).toBe(false);
    now += 1001;
    c.jobs.heartbeat(rc);
    expect(c.jobs.leaseStage('group', rc)).toBe(true);
  });

  it('a run taken for dead while it held a stage claims and writes nothing more there once another has taken it', () => {
    const a = open(),
      b = open();
    const ra = a.runs.start(SETTINGS).id,
      rb = b.runs.start(SETTINGS).id;
    a.jobs.leaseStage('group', ra);
    expect(a.jobs.claim('group', 'bank1', 'h', ra)).toBe('claimed');
    now += 1001;
    b.jobs.heartbeat(rb);
    expect(b.jobs.leaseStage('group', rb)).toBe(true);
    // Run a was only slow: it beats again, but the stage is b's now.
    a.jobs.heartbeat(ra);
    expect(a.jobs.claim('group', 'car', 'h', ra)).toBe('held');
    expect(() =>
      a.jobs.complete('group', 'bank1', 'h', ra, () => {
        throw new Error('must not be written');
      }),
    ).toThrow(LeaseLost);
    expect(b.jobs.claim('group', 'bank1', 'h', rb)).toBe('claimed');
  });

  it('a job a live run failed is not retried alongside it; the next run retries it', () => {
    const a = open(),
      b = open();
    const ra = a.runs.start(SETTINGS).id,
      rb = b.runs.start(SETTINGS).id;
    a.jobs.claim('screen', 'car', 'h', ra);
    a.jobs.fail('screen', 'car', 'h', ra, 'model timed out');
    expect(b.jobs.claim('screen', 'car', 'h', rb)).toBe('failed');
    expect(a.jobs.claim('screen', 'car', 'h', ra)).toBe('failed');
    a.runs.finish(ra, 'failed', {});
    expect(b.jobs.claim('screen', 'car', 'h', rb)).toBe('claimed');
  });

  it("a killed process's lease ends with it on the same machine, without waiting for it to expire", async () => {
    const db = join(dir.dir, 'shared.db');
    const b = open();
    const rb = b.runs.start(SETTINGS).id;
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run-ts.js'), join(ROOT, 'test', 'lease-holder.ts'), db, 'extract', 'inc-1'], {
      cwd: ROOT,
    });
    const closed = once(child, 'close');
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => {
          if (out.includes('\n')) resolve();
        });
        child.on('close', (code) => reject(new Error(`lease holder exited ${code} before claiming`)));
      });
    } finally {
      if (!out.includes('\n')) child.kill('SIGKILL');
    }
    const [holder, claimed] = out.trim().split(' ');
    expect(claimed).toBe('claimed');
    expect(b.jobs.claim('extract', 'inc-1', 'h', rb)).toBe('held');
    child.kill('SIGKILL');
    await closed;
    // Same clock as before: nothing expired, the process is gone.
    expect(b.runs.recoverInterrupted()).toBe(1);
    expect(b.runs.list().find((r) => r.id === holder)!.status).toBe('interrupted');
    expect(b.jobs.claim('extract', 'inc-1', 'h', rb)).toBe('claimed');
  });
});

/** Records as the pipeline stored them; run ids differ by nature, nothing else may. */
const records = (s: Store) => JSON.stringify(s.records.list()).replace(/"runId":"[^"]*"/g, '"runId":"-"');
const doneBy = (runs: RunSummary[], stage: string) => runs.reduce((n, r) => n + r.stages.find((s) => s.stage === stage)!.done, 0);

describe('runs sharing a database', () => {
  it('two runs at once do every job once, fail none, and leave the records of one run alone', async () => {
    const alone = open('alone.db');
    alone.articles.insert(allFixtures());
    const single = await runPipeline(alone, new OfflineBackend(), { settings: SETTINGS });

    const a = open(),
      b = open();
    a.articles.insert(allFixtures());
    const both = await Promise.all([a, b].map((s) => runPipeline(s, new OfflineBackend(), { settings: SETTINGS })));
    for (const r of both) expect(r.failedJobs, r.runId).toBe(0);
    for (const stage of ['screen', 'group', 'extract', 'classify']) expect(doneBy(both, stage), stage).toBe(doneBy([single], stage));
    // They did overlap: each found jobs the other had done or held.
    for (const r of both)
      expect(
        r.stages.reduce((n, s) => n + s.elsewhere, 0),
        r.runId,
      ).toBeGreaterThan(0);
    expect(a.incidents.list()).toEqual(alone.incidents.list());
    expect(records(a)).toBe(records(alone));
    expect(a.jobs.failed()).toEqual([]);
    expect(a.runs.list().map((r) => r.status)).toEqual(['done', 'done']);
  });

  it('three `failscope run` processes on one database: no lock crash, no failure, the records of a single run', async () => {
    // The fixtures of the in-process test above (8 articles, several incidents): the processes contend for the same
    // jobs whatever the corpus size, and three full samples would cost three times the sample's pipeline.
    const input = writeFixturesJsonl(join(dir.dir, 'fixtures.jsonl'));
    const shared = join(dir.dir, 'cli-shared.db'),
      alone = join(dir.dir, 'cli-alone.db');
    // Only the three that share the database are processes: that is what is tested.
    const single = await failscope('run', input, '--db', alone);
    expect(single.code, single.stderr).toBe(0);
    const runs = await Promise.all([1, 2, 3].map(() => runCli(['run', input, '--db', shared, '--json'])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse((await failscope('status', '--json', '--db', shared)).stdout);
    expect(status.failed).toEqual([]);
    expect(status.runs.map((r: { status: string }) => r.status)).toEqual(['done', 'done', 'done']);
    const [x, y] = [
      await failscope('export', '--format', 'json', '--db', shared),
      await failscope('export', '--format', 'json', '--db', alone),
    ];
    expect(x.stdout.replace(/"runId": "[^"]*"/g, '-')).toBe(y.stdout.replace(/"runId": "[^"]*"/g, '-'));
  });
});

describe('transactions', () => {
  it('one that reads and then writes is not refused because another process wrote in between', () => {
    const a = open(),
      b = new Store(join(dir.dir, 'shared.db'), { jobs: { ...LEASES, busyTimeoutMs: 10 } });
    opened.push(b);
    let other: unknown = null;
    a.tx(() => {
      a.articles.problems();
      try {
        b.articles.recordProblem('other.txt', 'written by another process');
      } catch (e) {
        other = e;
      }
      a.articles.recordProblem('mine.txt', 'written after reading');
    });
    // The other process waited for the write lock (here past its 10 ms) instead of invalidating this one.
    expect(String(other)).toMatch(/database is locked/);
    expect(a.articles.problems().map((p) => p.origin)).toEqual(['mine.txt']);
  });
});
