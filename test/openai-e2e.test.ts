import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Config } from '../schemas/index.ts';
import { createBackend } from '../pipeline/backends/index.ts';
import { ingest } from '../pipeline/ingest/ingest.ts';
import { runPipeline, type RunSummary } from '../pipeline/run.ts';
import { verifyCitation } from '../pipeline/citations/align.ts';
import { PROMPTS_DIR } from '../pipeline/backends/openai/prompts.ts';
import type { Store } from '../pipeline/store/store.ts';
import { allFixtures, tempDir, tempStore, writeFixturesJsonl } from './fixtures.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../evals/servers/fake-openai.ts';
import { failscope } from './cli-in-process.ts';

const ROOT = join(import.meta.dirname, '..');
const SAMPLE = join(ROOT, 'data', 'sample', 'articles.jsonl');
/** Limits high enough that the local server is never paced: these tests are about behaviour. */
const fast = (extra: Record<string, unknown> = {}) => Config.parse({ openai: { rpm: 1_000_000, tpm: 100_000_000, ...extra } });

async function run(store: Store, opts: { cache?: boolean; config?: Config } = {}): Promise<RunSummary> {
  const backend = await createBackend({ backend: 'openai', config: opts.config ?? fast(), cache: opts.cache ?? true });
  return runPipeline(store, backend, {
    settings: { backend: backend.name, model: backend.model, concurrency: 4, cache: opts.cache ?? true },
  });
}

let server: FakeOpenAI;
const saved = { url: process.env.OPENAI_BASE_URL, key: process.env.OPENAI_API_KEY };
beforeAll(async () => {
  server = await startFakeOpenAI();
  // The real configuration path: the backend finds the server through OPENAI_BASE_URL.
  process.env.OPENAI_BASE_URL = server.url;
  process.env.OPENAI_API_KEY = 'sk-test-not-a-real-key';
});
afterAll(async () => {
  await server.close();
  if (saved.url === undefined) delete process.env.OPENAI_BASE_URL;
  else process.env.OPENAI_BASE_URL = saved.url;
  if (saved.key === undefined) delete process.env.OPENAI_API_KEY;
  else process.env.OPENAI_API_KEY = saved.key;
});

describe('openai backend, end to end through a local OpenAI-compatible server', () => {
  const t = tempStore();
  let first: RunSummary;
  let firstRequests = 0;
  afterAll(() => t.cleanup());

  it('turns the sample into cited records whose citations all verify, with provenance and usage', async () => {
    await ingest(t.store, [SAMPLE]);
    const before = server.requests.length;
    first = await run(t.store);
    firstRequests = server.requests.length - before;
    expect(first.failedJobs).toBe(0);
    expect(first.incidents).toBeGreaterThan(5);
    expect(first.records).toBe(first.incidents);
    expect(first.citations.verified).toBeGreaterThan(100);
    expect(first.citations.unverified).toBe(0);

    const records = t.store.records.list('openai:gpt-4o-mini');
    const texts = new Map(t.store.articles.list({ includeDuplicates: true }).map((a) => [a.id, a.text]));
    for (const r of records) {
      expect(r.postmortem).not.toBeNull();
      expect(r.postmortemProvenance).toMatchObject({ backend: 'openai', model: 'gpt-4o-mini', runId: first.runId });
      expect(r.postmortemProvenance!.schemaHash).toMatch(/^[0-9a-f]{16}$/);
      for (const l of r.labels) for (const c of l.citations) expect(verifyCitation(c, texts.get(c.articleId)!)).toBe(true);
      // FAIL's rules hold: unknown only alone, IoT layers only for cyber-physical systems
      for (const l of r.labels) expect(l.options.length === 1 || !l.options.includes('unknown')).toBe(true);
      const cps = r.labels.find((l) => l.dimension === 'cps')?.options ?? [];
      if (!cps.includes('true')) expect(r.labels.map((l) => l.dimension)).not.toContain('perception');
    }
    const formats = server.requests.slice(before).map((r) => r.format);
    // The offline pre-filter (on by default) settles the clear cases: every other article is one screening call.
    const decisions = t.store.prefilter.decisions('screen');
    const settled = decisions.filter((d) => d.settled);
    expect(decisions).toHaveLength(first.articles);
    expect(settled.length).toBeGreaterThan(0);
    expect(formats.filter((f) => f === 'screen')).toHaveLength(first.articles - settled.length);
    const screenings = t.store.records.screenings();
    for (const d of settled)
      expect(screenings.get(d.subject)).toMatchObject({
        isFailure: d.answer,
        rationale: expect.stringMatching(/^Settled by the offline pre-filter/),
      });
    expect(formats.filter((f) => f === 'extract')).toHaveLength(first.incidents);
    expect(formats.filter((f) => f === 'classify')).toHaveLength(first.incidents);
    const [u] = t.store.modelCalls.usage('run_id', first.runId);
    expect(u).toMatchObject({ calls: firstRequests, sent: firstRequests, fromCache: 0 });
    expect(u.promptTokens).toBe(server.requests.slice(before).reduce((n, r) => n + r.promptTokens, 0));
    expect(u.cost).toBeGreaterThan(0);
    const [q] = t.store.modelCalls.quoteChecks(first.runId);
    expect(q.proposed).toBeGreaterThan(100);
    expect(q.dropped).toBe(0);
  });

  it('sends 0 requests when run again with nothing changed', async () => {
    const before = server.requests.length;
    const again = await run(t.store);
    expect(server.requests.length - before).toBe(0);
    expect(again.stages.every((s) => s.done === 0 && s.failed === 0)).toBe(true);
  });

  it('answers re-done jobs from the cache, and sends them again with --no-cache', async () => {
    const classify = [...t.store.jobs.forStage('classify').values()];
    const redo = () => {
      for (const j of classify) t.store.jobs.mark('classify', j.key, j.inputHash, 'failed', first.runId, 'simulated crash');
    };
    redo();
    let before = server.requests.length;
    const cached = await run(t.store);
    expect(server.requests.length - before).toBe(0);
    expect(cached.stages.find((s) => s.stage === 'classify')!.done).toBe(classify.length);
    expect(t.store.modelCalls.usage('run_id', cached.runId)[0]).toMatchObject({
      calls: classify.length,
      sent: 0,
      fromCache: classify.length,
      cost: 0,
    });

    redo();
    before = server.requests.length;
    await run(t.store, { cache: false });
    expect(server.requests.length - before).toBe(classify.length);
  });

  it('after one prompt template changes, sends only the calls that use it', async () => {
    const d = tempDir('failscope-prompts-');
    try {
      cpSync(PROMPTS_DIR, d.dir, { recursive: true });
      const file = join(d.dir, 'classify.md');
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.replace('in every dimension of this taxonomy', 'in every dimension of this taxonomy, one at a time,'));
      const before = server.requests.length;
      const summary = await run(t.store, { config: fast({ promptsDir: d.dir }) });
      const sent = server.requests.slice(before);
      expect(sent.length).toBe(first.incidents);
      expect(new Set(sent.map((r) => r.format))).toEqual(new Set(['classify']));
      expect(sent[0].body.messages[0].content).toContain('one at a time');
      expect(summary.stages.filter((s) => s.stage !== 'classify').every((s) => s.done === 0)).toBe(true);
    } finally {
      d.cleanup();
    }
  });
});

describe('openai backend: failed jobs', () => {
  it('records a job with no valid answer as failed with its reason; the next run retries only that job', async () => {
    const t = tempStore();
    try {
      t.store.articles.insert(allFixtures());
      server.override = (req) =>
        req.format === 'extract' && req.articleIds.includes('car') ? 'Here is the postmortem you asked for: the brakes failed.' : null;
      const first = await run(t.store, { config: fast({ maxReasks: 2 }) });
      server.override = null;
      expect(first.failedJobs).toBe(1);
      const [failed] = t.store.jobs.failed();
      const carIncident = t.store.incidents.membership().get('car')!;
      expect(failed).toMatchObject({ stage: 'extract', key: carIncident });
      expect(failed.error).toMatch(/extract: no valid answer after 3 attempt\(s\); last: invalid_json/);
      expect(first.stages.find((s) => s.stage === 'classify')!.failed).toBe(0);

      const before = server.requests.length;
      const second = await run(t.store);
      const sent = server.requests.slice(before);
      expect(sent.map((r) => [r.format, r.articleIds])).toEqual([['extract', ['car']]]);
      expect(second.failedJobs).toBe(0);
      expect(t.store.jobs.failed()).toEqual([]);
    } finally {
      server.override = null;
      t.cleanup();
    }
  });
});

describe('openai backend: a backend no request gets through to', () => {
  it('stops the run at the first such failure, says what to check, and leaves the rest pending for the next run', async () => {
    const t = tempStore();
    try {
      t.store.articles.insert(allFixtures());
      const notFound = {
        status: 404,
        body: { error: { message: 'The model `gpt-4o-mini` does not exist', type: 'invalid_request_error' } },
      };
      server.override = () => notFound;
      const before = server.requests.length;
      // Without the pre-filter every screening asks the server.
      const first = await run(t.store, { config: fast({ prefilter: null, concurrency: 2 }) });
      const sent = server.requests.length - before;
      server.override = null;
      expect(first.stopped).toMatch(
        /has no model "gpt-4o-mini" or no chat completions there: 404 The model .* does not exist; name a model/,
      );
      // Only the requests already in flight (the run's 4 jobs at once) were sent, and no later stage ran.
      expect(sent).toBeLessThanOrEqual(4);
      expect(first.stages.map((s) => s.stage)).toEqual(['screen']);
      expect(first.failedJobs).toBe(sent);
      expect(Object.values(first.stages[0]!.errors)).toEqual([sent]);
      expect(first.stages[0]!.done + first.failedJobs).toBeLessThan(allFixtures().length);
      // The next run, with the server answering, does every job.
      const second = await run(t.store);
      expect(second).toMatchObject({ stopped: null, failedJobs: 0 });
      expect(second.stages[0]!.done).toBe(allFixtures().length);
      expect(second.records).toBe(second.incidents);
    } finally {
      server.override = null;
      t.cleanup();
    }
  });

  it('a refused connection stops the CLI run with exit 1 and names the address; eval scores nothing', async () => {
    const d = tempDir('failscope-cli-down-');
    const closed = await startFakeOpenAI();
    const url = closed.url;
    await closed.close();
    const saved = process.env.OPENAI_BASE_URL;
    process.env.OPENAI_BASE_URL = url;
    try {
      const config = join(d.dir, 'c.json');
      writeFileSync(config, JSON.stringify({ openai: { maxRetries: 0 } }));
      const input = join(d.dir, 'articles.jsonl');
      writeFixturesJsonl(input);
      const r = await failscope('run', input, '--db', join(d.dir, 'x.db'), '--config', config);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`failed       `);
      expect(r.stderr).toMatch(
        new RegExp(`STOPPED\\s+cannot reach ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(ECONNREFUSED\\); check OPENAI_BASE_URL`),
      );
      const ev = await failscope('eval', '--gold', join(ROOT, 'data', 'sample'), '--out', join(d.dir, 'ev'), '--config', config);
      expect(ev.code).toBe(1);
      expect(ev.stderr).toMatch(/nothing scored: the run stopped: cannot reach/);
    } finally {
      process.env.OPENAI_BASE_URL = saved;
      d.cleanup();
    }
  });
});

describe('failscope CLI on the openai backend', () => {
  it('runs with --backend openai, names the backend first, and status shows usage and quote checks', async () => {
    const d = tempDir('failscope-cli-openai-');
    try {
      const config = join(d.dir, 'config.json');
      writeFileSync(config, JSON.stringify({ openai: { rpm: 1_000_000, tpm: 100_000_000 } }));
      const db = join(d.dir, 'x.db');
      const input = join(d.dir, 'articles.jsonl');
      writeFixturesJsonl(input);
      // In-process, with the server found through OPENAI_BASE_URL as set above.
      const r = await failscope('run', input, '--backend', 'openai', '--db', db, '--config', config);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.split('\n')[0]).toMatch(/backend openai \(gpt-4o-mini\)/);
      // Piped, the human summary is on stderr and stdout holds JSON lines only.
      expect(r.stderr).toMatch(/citations\s+\d+ verified, 0 not verified/);
      expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!).type).toBe('summary');
      // Named by no flag and no config, the backend is the server the endpoint points at, and the first line says why.
      const again = await failscope('run', '--db', db, '--config', config);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr.split('\n')[0]).toMatch(
        /backend openai \(gpt-4o-mini\) at OPENAI_BASE_URL http:\/\/127\.0\.0\.1:\d+\/v1 \(--backend offline/,
      );
      expect(again.stderr).toMatch(/stages\s+screen 0 done\/\d+ unchanged/);
      // A model file is the offline backend's: naming one chooses it, and asking the openai backend to use one is an error.
      const offline = await failscope(
        'run',
        '--db',
        db,
        '--config',
        config,
        '--model-file',
        join(ROOT, 'pipeline/backends/offline/model.json'),
      );
      expect(offline.stderr.split('\n')[0]).toMatch(/backend offline \(model@/);
      const both = await failscope(
        'run',
        '--db',
        db,
        '--backend',
        'openai',
        '--model-file',
        join(ROOT, 'pipeline/backends/offline/model.json'),
      );
      expect(both.code).toBe(1);
      expect(both.stderr).toContain("--model-file is the offline backend's");
      // So are worker threads: the openai backend's parallelism is its requests in flight.
      const threads = await failscope('run', '--db', db, '--config', config, '--workers', '4');
      expect(threads.code).toBe(1);
      expect(threads.stderr).toContain(
        "--workers is the offline backend's (threads for its own CPU work); the openai backend takes --concurrency",
      );
      const st = await failscope('status', '--db', db, '--config', config);
      expect(st.stdout).toMatch(/usage {5}run-\S+: \d+ calls \(\d+ sent, 0 cached\), \d+\+\d+ tokens, \$0\.\d{4}/);
      expect(st.stdout).toMatch(/usage {5}incident inc-\S+: \d+ calls/);
      expect(st.stdout).toMatch(/quotes {4}run-\S+: \d+ quoted, 0 not found at first, 0 re-ask\(s\), 0 dropped/);
    } finally {
      d.cleanup();
    }
  });
});
