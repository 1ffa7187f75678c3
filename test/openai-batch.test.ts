import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BatchConfig, type OpenAIConfig } from '../schemas/index.ts';
import { runPipeline, type RunSummary } from '../pipeline/run.ts';
import { costOf, priceFor } from '../pipeline/backends/openai/cost.ts';
import { Store } from '../pipeline/store/store.ts';
import { startFakeOpenAI, type FakeOpenAI, apiError } from '../evals/servers/fake-openai.ts';
import { allFixtures, tempDir, tempStore, writeFixturesJsonl } from './fixtures.ts';
import { testBackend } from './openai-helpers.ts';
import { runCli } from './cli-runner.ts';
import { failscope } from './cli-in-process.ts';

let server: FakeOpenAI;
beforeAll(async () => {
  server = await startFakeOpenAI();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.override = null;
  Object.assign(server.batches.control, { hold: false, endings: [], createFailures: [] });
});

/** A small syncBelow, so the eight fixtures' rounds are batched; polling waits cost nothing on the virtual clock. */
const BATCH = (over: Partial<BatchConfig> = {}) => BatchConfig.parse({ syncBelow: 2, pollMs: 1000, ...over });

async function run(
  store: Store,
  opts: { batch?: boolean; batchConfig?: Partial<BatchConfig>; over?: Partial<OpenAIConfig> } = {},
): Promise<RunSummary> {
  const { backend } = testBackend(server.url, { batch: BATCH(opts.batchConfig), ...opts.over }, { batch: opts.batch ?? true });
  return runPipeline(store, backend, { settings: { backend: 'openai', model: backend.model, concurrency: 4, cache: true } });
}

const since = (n: number) => server.requests.slice(n);
const batchesSince = (n: number) => server.batches.batches.slice(n);
const stageOf = (b: { metadata: Record<string, string> | null }) => b.metadata?.failscope_stage;

/** What a run's records say, without the run ids in their provenance. */
const records = (store: Store) =>
  store.records.list().map((r) => ({
    id: r.id,
    articles: r.articleIds,
    title: r.postmortem?.title,
    facts: r.postmortem && JSON.stringify(r.postmortem),
    labels: r.labels.map((l) => [l.dimension, l.options, l.citations.map((c) => [c.articleId, c.start, c.end])]),
  }));

describe('failscope run --batch (openai backend)', () => {
  it('answers every stage through /v1/files and /v1/batches, at the batch price, with the records a synchronous run makes', async () => {
    const sync = tempStore(),
      batched = tempStore();
    try {
      sync.store.articles.insert(allFixtures());
      batched.store.articles.insert(allFixtures());
      const s = await run(sync.store, { batch: false });
      const [r0, b0] = [server.requests.length, server.batches.batches.length];
      const b = await run(batched.store);
      expect(b.failedJobs).toBe(0);
      expect(b.citations.unverified).toBe(0);
      expect(records(batched.store)).toEqual(records(sync.store));
      expect(b.incidents).toBe(s.incidents);

      // One batch per stage that asks the model per item; grouping decides one article at a time, synchronously.
      const batches = batchesSince(b0);
      expect(batches.map(stageOf)).toEqual(['screen', 'extract', 'classify']);
      expect(batches.every((x) => x.status === 'completed' && x.endpoint === '/v1/chat/completions' && x.completion_window === '24h')).toBe(
        true,
      );
      const sent = since(r0);
      expect(sent.filter((r) => !r.batch).every((r) => r.format === 'same_incident')).toBe(true);
      expect(sent.filter((r) => r.batch && r.format === 'screen')).toHaveLength(8);
      expect(batched.store.batches.progress()).toEqual({
        byStatus: {
          completed: {
            batches: 3,
            requests: batches.reduce((n, x) => n + x.request_counts.total, 0),
            completed: batches.reduce((n, x) => n + x.request_counts.completed, 0),
            failed: 0,
          },
        },
        open: [],
      });

      // Half the synchronous price for batched calls; grouping's synchronous calls at the full price.
      const price = priceFor('gpt-4o-mini');
      for (const u of batched.store.modelCalls.usage('stage', b.runId)) {
        const full = costOf(u, price);
        expect(u.cost).toBeCloseTo(u.key === 'group' ? full : full / 2, 10);
      }
    } finally {
      sync.cleanup();
      batched.cleanup();
    }
  });

  it("asks an expired batch's unanswered requests again in the next round, and only those", async () => {
    const t = tempStore();
    try {
      t.store.articles.insert(allFixtures());
      server.batches.control.endings = [{ outcome: 'expired', answered: 3 }];
      const [r0, b0] = [server.requests.length, server.batches.batches.length];
      const s = await run(t.store);
      expect(s.failedJobs).toBe(0);
      const screens = batchesSince(b0).filter((b) => stageOf(b) === 'screen');
      expect(screens.map((b) => [b.status, b.request_counts])).toEqual([
        ['expired', { total: 8, completed: 3, failed: 5 }],
        ['completed', { total: 5, completed: 5, failed: 0 }],
      ]);
      // Every article was screened once: 3 answered before expiry, the other 5 in the second batch.
      expect(
        since(r0)
          .filter((r) => r.format === 'screen')
          .map((r) => r.articleIds[0])
          .sort(),
      ).toEqual(
        allFixtures()
          .map((a) => a.id)
          .sort(),
      );
    } finally {
      t.cleanup();
    }
  });

  it('fails the calls of a failed or cancelled batch with the reason; the next run asks exactly those again', async () => {
    const t = tempStore();
    try {
      t.store.articles.insert(allFixtures());
      server.batches.control.endings = [{ outcome: 'failed' }];
      const first = await run(t.store);
      expect(first.stages.find((x) => x.stage === 'screen')).toMatchObject({ done: 0, failed: 8 });
      expect(t.store.jobs.failed()[0].error).toMatch(
        /batch batch_\w+ ended failed without answering this request: line 1: invalid_request: The batch input file could not be processed/,
      );

      server.batches.control.endings = [{ outcome: 'cancelled', answered: 5 }];
      const second = await run(t.store);
      expect(second.stages.find((x) => x.stage === 'screen')).toMatchObject({ done: 5, failed: 3 });
      expect(t.store.jobs.failed().map((j) => j.error)).toEqual(
        Array(3).fill(expect.stringMatching(/ended cancelled without answering this request/)),
      );

      const r0 = server.requests.length;
      const third = await run(t.store);
      expect(third.failedJobs).toBe(0);
      expect(since(r0).filter((r) => r.format === 'screen')).toHaveLength(3);
    } finally {
      t.cleanup();
    }
  });

  it("reads a partial batch's error file: a 500 is asked again (synchronously, being one), a 400 fails its job with the server's message", async () => {
    const t = tempStore();
    try {
      t.store.articles.insert(allFixtures());
      const seen = new Set<string>();
      server.override = (req) => {
        if (!req.batch || req.format !== 'screen') return null;
        const id = req.articleIds[0];
        if (id === 'funding')
          return {
            status: 400,
            body: apiError(
              "Invalid 'messages[1].content': string too long.",
              'invalid_request_error',
              'string_above_max_length',
              'messages',
            ),
          };
        if (id === 'car' && !seen.has(id)) {
          seen.add(id);
          return { status: 500, body: apiError('The server had an error while processing your request.', 'server_error') };
        }
        return null;
      };
      const r0 = server.requests.length;
      const s = await run(t.store);
      const screen = server.batches.batches.at(-3)!;
      expect(stageOf(screen)).toBe('screen');
      expect(screen.request_counts).toEqual({ total: 8, completed: 6, failed: 2 });
      expect(screen.error_file_id).toMatch(/^file-/);
      expect(
        since(r0)
          .filter((r) => r.format === 'screen' && r.articleIds[0] === 'car')
          .map((r) => r.batch === null),
      ).toEqual([false, true]);
      expect(t.store.records.screenings().has('car')).toBe(true);
      expect(s.failedJobs).toBe(1);
      expect(t.store.jobs.failed()).toEqual([
        expect.objectContaining({ stage: 'screen', key: 'funding', error: expect.stringMatching(/string too long/) }),
      ]);
    } finally {
      t.cleanup();
    }
  });

  it('puts re-asks into the next batch round, through the same validation and re-ask path', async () => {
    const t = tempStore();
    try {
      t.store.articles.insert(allFixtures());
      let bad = 0;
      server.override = (req) =>
        req.batch && req.format === 'extract' && req.articleIds.includes('car') && bad++ === 0
          ? 'The brakes failed, here is your postmortem.'
          : null;
      const b0 = server.batches.batches.length;
      const s = await run(t.store, { batchConfig: { syncBelow: 0 } });
      expect(s.failedJobs).toBe(0);
      const extracts = batchesSince(b0).filter((b) => stageOf(b) === 'extract');
      expect(extracts.map((b) => b.request_counts.total)).toEqual([s.incidents, 1]);
      const reask = server.requests.filter((r) => r.batch === extracts[1].id)[0];
      expect(reask.body.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
      expect(reask.body.messages[3].content).toMatch(/not valid JSON/);
    } finally {
      t.cleanup();
    }
  });

  it('finds a batch whose creation never reported back, by its input file, instead of uploading again', async () => {
    for (const when of ['before', 'after'] as const) {
      const t = tempStore();
      try {
        t.store.articles.insert(allFixtures());
        server.batches.control.createFailures = [when];
        const [b0, f0] = [server.batches.batches.length, server.batches.files.size];
        // No transport retries: the failed creation fails the round, as a kill right after the upload would stop it.
        const first = await run(t.store, { over: { maxRetries: 0 } });
        expect(first.stages.find((x) => x.stage === 'screen')).toMatchObject({ failed: 8 });
        const [pending] = t.store.batches.list();
        expect(pending).toMatchObject({ status: 'uploaded', providerId: null, requests: 8 });

        const second = await run(t.store);
        expect(second.failedJobs).toBe(0);
        const screens = batchesSince(b0).filter((b) => stageOf(b) === 'screen');
        // 'after': the batch existed and was found by listing; 'before': it was created from the same file.
        expect(screens).toHaveLength(1);
        expect(screens[0].input_file_id).toBe(pending.inputFileId);
        expect(t.store.batches.list()[0]).toMatchObject({ providerId: screens[0].id, status: 'completed', collected: true });
        const uploads = [...server.batches.files.values()]
          .slice(f0)
          .filter((f) => f.purpose === 'batch' && f.filename.startsWith('failscope-screen'));
        expect(uploads).toHaveLength(1);
      } finally {
        t.cleanup();
      }
    }
  });

  it('says plainly when the server has no Files API (vLLM, llama.cpp), and stops the run there', async () => {
    const plain = await startFakeOpenAI();
    const t = tempStore();
    try {
      plain.batches.route = async () => null;
      t.store.articles.insert(allFixtures());
      const { backend } = testBackend(plain.url, { batch: BATCH() }, { batch: true });
      const s = await runPipeline(t.store, backend, { settings: { backend: 'openai', model: backend.model, concurrency: 4, cache: true } });
      expect(s.stopped).toMatch(/the server has no Files API \(404 .*\); --batch needs OpenAI's Files and Batch APIs.*run without --batch/);
      expect(s.stages.map((x) => x.stage)).toEqual(['screen']);
      expect(s.stages[0].done).toBe(0);
      expect(t.store.jobs.failed()[0].error).toMatch(/the server has no Files API/);
    } finally {
      t.cleanup();
      await plain.close();
    }
  });

  it('killed between submit and collect, resumes by waiting for the batch it submitted; status shows the batch meanwhile', async () => {
    const d = tempDir('failscope-batch-kill-');
    try {
      const db = join(d.dir, 'x.db'),
        config = join(d.dir, 'config.json'),
        input = join(d.dir, 'articles.jsonl');
      writeFileSync(
        config,
        JSON.stringify({
          openai: { rpm: 1_000_000, tpm: 100_000_000, prefilter: null, batch: { syncBelow: 2, pollMs: 20, pollMaxMs: 50 } },
        }),
      );
      writeFixturesJsonl(input);
      const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test-not-a-real-key' };
      const saved = { ...process.env };
      Object.assign(process.env, env);
      try {
        server.batches.control.hold = true;
        const [b0, r0] = [server.batches.batches.length, server.requests.length];
        const retrieves = server.batches.retrieves;
        const killed = await runCli(['run', input, '--backend', 'openai', '--batch', '--db', db, '--config', config], (child) => {
          // Killed once the batch is submitted and has been polled twice: between submit and collect.
          const watch = setInterval(() => {
            if (server.batches.batches.length > b0 && server.batches.retrieves - retrieves >= 2) {
              clearInterval(watch);
              child.kill('SIGKILL');
            }
          }, 20);
        });
        expect(killed.signal).toBe('SIGKILL');
        expect(killed.stderr).toMatch(/batch: submitted batch_\w+ with 8 screen request\(s\)/);
        const [submitted] = batchesSince(b0);
        expect(submitted.status).toBe('in_progress');
        expect(since(r0).filter((r) => r.format === 'screen')).toHaveLength(0);

        // Reading the status is not about the process: in-process.
        const status = await failscope('status', '--db', db, '--config', config);
        expect(status.stdout).toContain(`batch     ${submitted.id} screen: in_progress, not yet collected, 0/8 answered, 0 failed`);

        server.batches.control.hold = false;
        const store = new Store(db);
        try {
          const s = await run(store);
          expect(s.failedJobs).toBe(0);
          expect(s.records).toBe(s.incidents);
          // The screen batch was waited for, not submitted again: each article screened once.
          expect(batchesSince(b0).filter((b) => stageOf(b) === 'screen')).toEqual([submitted]);
          expect(
            since(r0)
              .filter((r) => r.format === 'screen')
              .map((r) => r.batch),
          ).toEqual(Array(8).fill(submitted.id));
          expect(store.runs.list().map((r) => r.status)).toEqual(['interrupted', 'done']);
        } finally {
          store.close();
        }
      } finally {
        process.env = saved;
      }
    } finally {
      d.cleanup();
    }
  });
});
