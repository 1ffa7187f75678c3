/**
 * Benchmarks of the openai backend against the local OpenAI-compatible server (evals/servers/fake-openai.ts),
 * which answers from the offline backend: no network, no key, no cost. Prints figures; asserts nothing.
 *
 *   node bin/run-ts.js evals/bench/openai.ts [--only=sample|fail|examples|throughput]
 *
 * 1. The project sample through the whole pipeline: requests, tokens and estimated cost, first run
 *    against a re-run with nothing changed.
 * 2. FAIL's dev incidents (../shared/benchmarks/fail, read at run time): model calls and prompt tokens
 *    per incident for extraction and classification, against the incident's own article tokens. FAIL's
 *    design spends about 40 calls per incident, each carrying all the article text.
 * 3. What examples (openai.examples) add to the extract and classify prompts on those incidents, in
 *    tokens per call: with the sample's gold as the pool, and with FAIL's dev split itself as the pool,
 *    cross-fitted (each incident held out of it with its articles).
 * 4. Throughput against a server with 300 ms latency that refuses more than 600 requests a minute: screening
 *    calls, and the grouping stage's same-incident calls on a synthetic corpus made from the project's text.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Article, Config, type GoldIncident } from '../../schemas/index.ts';
import { Store } from '../../pipeline/store/store.ts';
import { ingest } from '../../pipeline/ingest/ingest.ts';
import { toArticle } from '../../pipeline/ingest/article.ts';
import { runPipeline } from '../../pipeline/run.ts';
import { callContext } from '../../pipeline/stages/call.ts';
import { OpenAIBackend, resolveSettings } from '../../pipeline/backends/openai/index.ts';
import { tokenCounter } from '../../pipeline/backends/openai/tokens.ts';
import { type ExamplePool, examplePool } from '../../pipeline/examples/pool.ts';
import { type FakeOpenAI, type FakeRequest, startFakeOpenAI } from '../servers/fake-openai.ts';
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
const SAMPLE = join(ROOT, 'data', 'sample');
const count = tokenCounter('gpt-4o-mini');
const UNPACED = { rpm: 1_000_000, tpm: 100_000_000 };

function backendFor(url: string, openai: Record<string, unknown>, cache = true, examples?: ExamplePool): OpenAIBackend {
  return new OpenAIBackend(resolveSettings({ config: Config.parse({ openai: { baseURL: url, ...openai } }), env: { OPENAI_API_KEY: 'sk-bench' }, cache }), { examples });
}

/** Every FAIL dev incident extracted, then classified from that postmortem as the classify stage does; the requests each sent. */
async function runIncidents(server: FakeOpenAI, store: Store, incidents: readonly GoldIncident[], articles: ReadonlyMap<string, Article>, backendOf: (inc: GoldIncident) => OpenAIBackend) {
  const run = store.runs.start({ backend: 'openai', model: 'gpt-4o-mini', concurrency: 4, cache: true });
  const out: { arts: Article[]; sent: FakeRequest[] }[] = [];
  for (const inc of incidents) {
    const backend = backendOf(inc);
    const arts = inc.articleIds.map((id) => articles.get(id)!).filter(Boolean);
    const before = server.requests.length;
    const ctx = callContext(store, run.id, inc.id);
    const incident = { id: inc.id, articleIds: arts.map((a) => a.id), published: null };
    const pm = await backend.extract(incident, arts, ctx);
    await backend.classify(incident, arts, pm, ctx);
    out.push({ arts, sent: server.requests.slice(before) });
  }
  return { runId: run.id, incidents: out };
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
      const u = store.modelCalls.usage('run_id', s.runId)[0];
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
    store.articles.insert([...articles.values()]);
    const backend = backendFor(server.url, UNPACED);
    const done = await runIncidents(server, store, incidents, articles, () => backend);
    const run = { id: done.runId };
    const rows: { calls: number; prompt: number; own: number }[] = [];
    const byFormat: Record<string, number> = {};
    for (const { arts, sent } of done.incidents) {
      for (const r of sent) byFormat[r.format ?? '?'] = (byFormat[r.format ?? '?'] ?? 0) + r.promptTokens;
      rows.push({ calls: sent.length, prompt: sent.reduce((n, r) => n + r.promptTokens, 0), own: arts.reduce((n, a) => n + count(a.text), 0) });
    }
    const ratio = rows.map((r) => r.prompt / r.own);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const total = (k: 'calls' | 'prompt' | 'own') => rows.reduce((n, r) => n + r[k], 0);
    console.log(`FAIL dev incidents: ${rows.length} incidents, extract + classify per incident: calls mean ${mean(rows.map((r) => r.calls)).toFixed(2)} (max ${Math.max(...rows.map((r) => r.calls))}); `
      + `prompt tokens ${total('prompt')} for ${total('own')} article tokens: ${(total('prompt') / total('own')).toFixed(2)}× overall, per incident median ${ratio.sort((a, b) => a - b)[Math.floor(ratio.length / 2)].toFixed(2)}× (max ${Math.max(...ratio).toFixed(2)}×)`);
    const cost = store.modelCalls.usage('run_id', run.id)[0]?.cost ?? 0;
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

const EXAMPLES_BLOCK = /Examples: [\s\S]*?<<<END EXAMPLES[^\n]*\n\n/;

/**
 * Tokens per extract and classify call on FAIL's dev incidents without examples, with the sample's gold
 * as the pool, and with the dev split itself as the pool, each incident held out of it with its articles.
 * The local server answers from the offline backend, which ignores the examples, so the postmortems (and
 * the classify digests built from them) are the same in all three: the difference is the examples.
 */
async function failExamples(): Promise<void> {
  if (!existsSync(FAIL)) { console.log(`examples on the FAIL dev incidents: skipped (${FAIL} not found)`); return; }
  const gold = await loadGold(FAIL);
  const articles = new Map(gold.articles.map((r) => [r.id, toArticle({ ...r, origin: 'fail' })]));
  const server = await startFakeOpenAI();
  const d = tempDir('failscope-openai-bench-');
  const store = new Store(join(d.dir, 'examples.db'));
  const limits = { k: 3, maxTokens: 2000 };
  try {
    store.articles.insert([...articles.values()]);
    const [sample, dev] = [await examplePool([SAMPLE]), await examplePool([FAIL])];
    const plain = backendFor(server.url, UNPACED, false);
    const withSample = backendFor(server.url, { ...UNPACED, examples: { dirs: [SAMPLE], ...limits } }, false, sample);
    const pools: [string, (inc: GoldIncident) => OpenAIBackend][] = [
      ['no examples', () => plain],
      [`pool data/sample (${sample.size} incidents)`, () => withSample],
      [`pool FAIL dev, cross-fitted (${dev.size - 1} incidents each)`, (inc) => backendFor(server.url, { ...UNPACED, examples: { dirs: [FAIL], ...limits } }, false, dev.without({ incidents: [inc.id], articles: inc.articleIds }))],
    ];
    console.log(`examples (k ${limits.k}, maxTokens ${limits.maxTokens}) on the ${gold.incidents.length} FAIL dev incidents, per call: prompt tokens mean [examples block tokens mean, examples shown mean]`);
    let base: Record<string, number> = {};
    for (const [label, backendOf] of pools) {
      const { incidents } = await runIncidents(server, store, gold.incidents, articles, backendOf);
      const calls = incidents.flatMap((i) => i.sent);
      const per = (format: string) => {
        const rs = calls.filter((r) => r.format === format);
        const blocks = rs.map((r) => EXAMPLES_BLOCK.exec(r.body.messages.find((m) => m.role === 'user')!.content)?.[0] ?? '');
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        return { calls: rs.length, prompt: mean(rs.map((r) => r.promptTokens)), examples: mean(blocks.map((b) => count(b))), shown: mean(blocks.map((b) => (b.match(/^Example \d+ \(/gm) ?? []).length)) };
      };
      const figures = Object.fromEntries((['extract', 'classify'] as const).map((f) => [f, per(f)]));
      if (label === 'no examples') base = Object.fromEntries(Object.entries(figures).map(([f, x]) => [f, x.prompt]));
      console.log(`  ${label}: ${Object.entries(figures).map(([f, x]) => `${f} ${x.calls} calls, ${x.prompt.toFixed(0)} tokens`
        + (label === 'no examples' ? '' : ` (${x.prompt - base[f] >= 0 ? '+' : ''}${(x.prompt - base[f]).toFixed(0)}) [${x.examples.toFixed(0)}, ${x.shown.toFixed(2)}]`)).join('; ')}`);
    }
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
    store.articles.insert(arts);
    const run = store.runs.start({ backend: 'openai', model: 'gpt-4o-mini', concurrency: 8, cache: false });
    const backend = backendFor(server.url, { rpm, concurrency: 8, tpm: 100_000_000 }, false);
    const t0 = performance.now();
    await Promise.all(arts.map((a) => backend.screen(a, callContext(store, run.id, a.id))));
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
    const ctx = { store, backend, runId: store.runs.start({ backend: 'openai', model: backend.model, concurrency, cache: false }).id };
    // Screened by the synthetic gold, so the only calls are the grouping stage's own.
    const prov = { backend: backend.name, model: backend.model, promptHash: backend.promptHash('screen'), schemaHash: null, runId: ctx.runId };
    for (const a of store.articles.list()) store.records.saveScreening(a.id, { isFailure: corpus.gold.has(a.id), analyzable: false, confidence: 1, rationale: 'synthetic gold' }, prov);
    const t0 = performance.now();
    const r = await runStage(groupStage, ctx, { concurrency });
    const secs = (performance.now() - t0) / 1000;
    const calls = server.requests.filter((q) => q.format === 'same_incident').length;
    const rate = calls / secs, bound = rpm / 60;
    console.log(`grouping (${rpm} RPM limit, ${latencyMs} ms latency, concurrency ${concurrency}): ${r.done} articles, ${calls} same-incident calls in ${secs.toFixed(1)} s = ${rate.toFixed(2)} req/s `
      + `(${(100 * rate / bound).toFixed(1)}% of the bound); ${store.incidents.list().length} incidents; ${server.throttled} refused with 429`);
  } finally {
    store.close();
    d.cleanup();
    await server.close();
  }
}

// `--only=examples` runs one part; `--throughput-only` is the older spelling of `--only=throughput`.
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? (process.argv.includes('--throughput-only') ? 'throughput' : undefined);
const parts: [string, () => Promise<void>][] = [['sample', sampleRun], ['fail', failIncidents], ['examples', failExamples], ['throughput', throughput], ['grouping', groupingThroughput]];
if (only && !parts.some(([name]) => name === only)) throw new Error(`--only=${only}: choose one of ${parts.map(([name]) => name).join(', ')}`);
for (const [name, part] of parts) if (!only || only === name) await part();
