/**
 * Benchmarks of the openai backend against the local OpenAI-compatible server (evals/servers/fake-openai.ts),
 * which answers from the offline backend: no network, no key, no cost. Prints figures; asserts nothing.
 *
 *   node bin/run-ts.js evals/bench/openai.ts
 *
 * 1. The project sample through the whole pipeline: requests, tokens and estimated cost, first run
 *    against a re-run with nothing changed.
 * 2. FAIL's dev incidents (../shared/benchmarks/fail, read at run time): model calls and prompt tokens
 *    per incident for extraction and classification, against the incident's own article tokens. FAIL's
 *    design spends about 40 calls per incident, each carrying all the article text.
 * 3. Throughput against a server with 300 ms latency that refuses more than 600 requests a minute: screening
 *    calls, and the grouping stage's same-incident calls on a synthetic corpus made from the project's text.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config } from '../../schemas/index.ts';
import { Store } from '../../pipeline/store/store.ts';
import { ingest } from '../../pipeline/ingest/ingest.ts';
import { toArticle } from '../../pipeline/ingest/article.ts';
import { runPipeline } from '../../pipeline/run.ts';
import { OpenAIBackend, resolveSettings } from '../../pipeline/backends/openai/index.ts';
import { tokenCounter } from '../../pipeline/backends/openai/tokens.ts';
import { startFakeOpenAI } from '../servers/fake-openai.ts';
import { loadGold } from '../gold.ts';
import { runStage } from '../../pipeline/jobs/runner.ts';
import { groupStage } from '../../pipeline/stages/group.ts';
import { writeSyntheticCorpus } from './synthetic.ts';

const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
};

const ROOT = join(import.meta.dirname, '..', '..');
const FAIL = join(ROOT, '..', 'shared', 'benchmarks', 'fail');
const count = tokenCounter('gpt-4o-mini');

function backendFor(url: string, openai: Record<string, unknown>, cache = true): OpenAIBackend {
  return new OpenAIBackend(resolveSettings({ config: Config.parse({ openai: { baseURL: url, ...openai } }), env: { OPENAI_API_KEY: 'sk-bench' }, cache }));
}

async function sampleRun(): Promise<void> {
  const server = await startFakeOpenAI();
  const d = tempDir('failscope-openai-bench-');
  const store = new Store(join(d.dir, 'bench.db'));
  try {
    await ingest(store, [join(ROOT, 'data', 'sample', 'articles.jsonl')]);
    const limits = { rpm: 1_000_000, tpm: 100_000_000 };
    for (const label of ['first run', 're-run']) {
      const before = server.requests.length;
      const t0 = performance.now();
      const backend = backendFor(server.url, limits);
      const s = await runPipeline(store, backend, { settings: { backend: 'openai', model: backend.model, concurrency: 4, cache: true } });
      const sent = server.requests.slice(before);
      const by: Record<string, number> = {};
      for (const r of sent) by[r.format ?? '?'] = (by[r.format ?? '?'] ?? 0) + 1;
      const u = store.usage('run_id', s.runId)[0];
      console.log(`sample ${label}: ${sent.length} requests ${JSON.stringify(by)}, ${u?.promptTokens ?? 0} prompt + ${u?.completionTokens ?? 0} completion tokens, `
        + `est. $${(u?.cost ?? 0).toFixed(4)} at gpt-4o-mini prices; ${s.articles} articles → ${s.incidents} incidents, ${s.citations.verified} verified / ${s.citations.unverified} unverified citations; ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    store.close();
    d.cleanup();
    await server.close();
  }
}

async function failIncidents(): Promise<void> {
  if (!existsSync(FAIL)) { console.log(`FAIL dev incidents: skipped (${FAIL} not found)`); return; }
  const gold = await loadGold(FAIL);
  const articles = new Map(gold.articles.map((r) => [r.id, toArticle({ ...r, origin: 'fail' })]));
  const incidents = gold.incidents;
  const server = await startFakeOpenAI();
  const d = tempDir('failscope-openai-bench-');
  const store = new Store(join(d.dir, 'fail.db'));
  try {
    store.insertArticles([...articles.values()]);
    const run = store.startRun({ backend: 'openai', model: 'gpt-4o-mini', concurrency: 4, cache: true });
    const backend = backendFor(server.url, { rpm: 1_000_000, tpm: 100_000_000 });
    const rows: { calls: number; prompt: number; own: number }[] = [];
    const byFormat: Record<string, number> = {};
    for (const inc of incidents) {
      const arts = inc.articleIds.map((id) => articles.get(id)!).filter(Boolean);
      const before = server.requests.length;
      const ctx = { store, runId: run.id, subject: inc.id };
      const incident = { id: inc.id, articleIds: arts.map((a) => a.id), published: null };
      // As the classify stage does: classification gets the postmortem extraction just produced.
      const pm = await backend.extract(incident, arts, ctx);
      await backend.classify(incident, arts, pm, ctx);
      const sent = server.requests.slice(before);
      for (const r of sent) byFormat[r.format ?? '?'] = (byFormat[r.format ?? '?'] ?? 0) + r.promptTokens;
      rows.push({ calls: sent.length, prompt: sent.reduce((n, r) => n + r.promptTokens, 0), own: arts.reduce((n, a) => n + count(a.text), 0) });
    }
    const ratio = rows.map((r) => r.prompt / r.own);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const total = (k: 'calls' | 'prompt' | 'own') => rows.reduce((n, r) => n + r[k], 0);
    console.log(`FAIL dev incidents: ${rows.length} incidents, extract + classify per incident: calls mean ${mean(rows.map((r) => r.calls)).toFixed(2)} (max ${Math.max(...rows.map((r) => r.calls))}); `
      + `prompt tokens ${total('prompt')} for ${total('own')} article tokens: ${(total('prompt') / total('own')).toFixed(2)}× overall, per incident median ${ratio.sort((a, b) => a - b)[Math.floor(ratio.length / 2)].toFixed(2)}× (max ${Math.max(...ratio).toFixed(2)}×)`);
    const cost = store.usage('run_id', run.id)[0]?.cost ?? 0;
    const share = (k: string) => `${byFormat[k] ?? 0} tokens = ${((byFormat[k] ?? 0) / total('own')).toFixed(2)}×`;
    console.log(`  extract calls (instructions + the articles): ${share('extract')}; classify calls (instructions + the postmortem digest, or the articles when shorter): ${share('classify')}; `
      + `incidents with ≥ 3000 article tokens: ${rows.filter((r) => r.own >= 3000).map((r) => `${(r.prompt / r.own).toFixed(2)}×`).join(', ') || 'none'}; est. $${(cost / rows.length).toFixed(5)} per incident at gpt-4o-mini prices (FAIL reported $0.24 with gpt-3.5-turbo)`);
    const screens = incidents.reduce((n, i) => n + i.articleIds.length, 0);
    console.log(`  with screening (1 call per article): ${((total('calls') + screens) / rows.length).toFixed(2)} calls per incident; FAIL's design: about 40, each carrying all the article text (≈ ${(40 * total('own') / rows.length).toFixed(0)} prompt tokens per incident here, against ${(total('prompt') / rows.length).toFixed(0)})`);
  } finally {
    store.close();
    d.cleanup();
    await server.close();
  }
}

async function throughput(): Promise<void> {
  const rpm = 600, latencyMs = 300, n = 240;
  // Canned answers: this measures pacing and transport, so the server should not spend the CPU it shares with the client.
  const canned = JSON.stringify({ failedSystem: null, cause: null, impact: null, isFailure: true, analyzable: false, confidence: 0.8, rationale: 'canned' });
  const server = await startFakeOpenAI({ latencyMs, rpm, override: () => canned });
  const d = tempDir('failscope-openai-bench-');
  const store = new Store(join(d.dir, 'tp.db'));
  try {
    const sample = (await loadGold(join(ROOT, 'data', 'sample'))).articles;
    const arts = Array.from({ length: n }, (_, i) => { const r = sample[i % sample.length]; return toArticle({ ...r, id: `${r.id}-${i}`, text: `${r.text}\n\n(copy ${i})`, origin: 'bench' }); });
    store.insertArticles(arts);
    const run = store.startRun({ backend: 'openai', model: 'gpt-4o-mini', concurrency: 8, cache: false });
    const backend = backendFor(server.url, { rpm, concurrency: 8, tpm: 100_000_000 }, false);
    const t0 = performance.now();
    await Promise.all(arts.map((a) => backend.screen(a, { store, runId: run.id, subject: a.id })));
    const secs = (performance.now() - t0) / 1000;
    // The server's view: requests per second between the first and the last arrival (no start-up, no last reply).
    const span = (server.requests.at(-1)!.at - server.requests[0].at) / 1000;
    const arrival = (n - 1) / span;
    const rate = n / secs, bound = rpm / 60;
    console.log(`throughput (${rpm} RPM limit, ${latencyMs} ms latency, bound ${bound.toFixed(2)} req/s): ${n} calls in ${secs.toFixed(1)} s end to end = ${rate.toFixed(2)} req/s `
      + `(${(100 * rate / bound).toFixed(1)}% of the bound, start-up included); arrivals at the server ${arrival.toFixed(2)} req/s (${(100 * arrival / bound).toFixed(1)}%); ${server.throttled} refused with 429`);
  } finally {
    store.close();
    d.cleanup();
    await server.close();
  }
}

/** The grouping stage alone on the openai backend: how much of the rate limit its same-incident calls use. */
async function groupingThroughput(): Promise<void> {
  const rpm = 600, latencyMs = 300, size = 300, concurrency = 8;
  const server = await startFakeOpenAI({ latencyMs, rpm });
  const d = tempDir('failscope-openai-bench-');
  const store = new Store(join(d.dir, 'group.db'));
  try {
    const corpus = writeSyntheticCorpus(ROOT, size, join(d.dir, 'synthetic.jsonl'));
    await ingest(store, [corpus.path]);
    const backend = backendFor(server.url, { rpm, concurrency, tpm: 100_000_000 }, false);
    const ctx = { store, backend, runId: store.startRun({ backend: 'openai', model: backend.model, concurrency, cache: false }).id };
    // Screened by the synthetic gold, so the only calls are the grouping stage's own.
    const prov = { backend: backend.name, model: backend.model, promptHash: backend.promptHash('screen'), schemaHash: null, runId: ctx.runId };
    for (const a of store.listArticles()) store.saveScreening(a.id, { isFailure: corpus.gold.has(a.id), analyzable: false, confidence: 1, rationale: 'synthetic gold' }, prov);
    const t0 = performance.now();
    const r = await runStage(groupStage, ctx, { concurrency });
    const secs = (performance.now() - t0) / 1000;
    const calls = server.requests.filter((q) => q.format === 'same_incident').length;
    const rate = calls / secs, bound = rpm / 60;
    console.log(`grouping (${rpm} RPM limit, ${latencyMs} ms latency, concurrency ${concurrency}): ${r.done} articles, ${calls} same-incident calls in ${secs.toFixed(1)} s = ${rate.toFixed(2)} req/s `
      + `(${(100 * rate / bound).toFixed(1)}% of the bound); ${store.listIncidents().length} incidents; ${server.throttled} refused with 429`);
  } finally {
    store.close();
    d.cleanup();
    await server.close();
  }
}

if (!process.argv.includes("--throughput-only")) await sampleRun();
if (!process.argv.includes("--throughput-only")) await failIncidents();
await throughput();
await groupingThroughput();
