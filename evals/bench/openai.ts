/**
 * Benchmarks of the openai backend against the local OpenAI-compatible server (evals/servers/fake-openai.ts),
 * which answers from the offline backend: no network, no key, no cost. Prints figures; asserts nothing.
 *
 *   node bin/run-ts.js evals/bench/openai.ts [--only=sample|batch|fail|prompt|examples|prefilter|throughput|rate] [--ko]
 *
 * 1. sample: the project sample through the whole pipeline: requests, tokens and estimated cost, first run
 *    against a re-run with nothing changed.
 * 2. batch: the sample in batch mode (`run --batch`) through the local /v1/files and /v1/batches: batches,
 *    lines, synchronous requests, and the cost at the batch price against the synchronous run's.
 * 3. fail: FAIL's dev incidents (../shared/benchmarks/fail, read at run time): model calls and prompt tokens
 *    per incident for extraction and classification, against the incident's own article tokens, with
 *    provider-cached prompt tokens counted at their discount. FAIL's design spends about 40 calls per
 *    incident, each carrying all the article text.
 * 4. prompt: what each part of those prompts costs (static instructions, taxonomy, article text, block lines…).
 * 5. examples: what examples (openai.examples) add to the extract and classify prompts on those incidents,
 *    in tokens per call: with the sample's gold as the pool, and with FAIL's dev split itself as the pool,
 *    cross-fitted (each incident held out of it with its articles).
 * 6. prefilter: the eval on FAIL's dev split with and without the offline pre-filter: screening and
 *    same-incident calls saved, recall lost (`--ko` adds Ko's 974 articles, a few minutes).
 * 7. throughput: screening calls against a server with 300 ms latency that refuses more than 600 requests a minute.
 * 8. rate: the whole pipeline against that server (a process of its own): the share of the rate limit each
 *    stage used.
 * 9. grouping: the grouping stage's same-incident calls against that server, on a synthetic corpus made
 *    from the project's text.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Article, Config, type GoldIncident, type Stage } from '../../schemas/index.ts';
import { Store } from '../../pipeline/store/store.ts';
import { ingest } from '../../pipeline/ingest/ingest.ts';
import { toArticle } from '../../pipeline/ingest/article.ts';
import { runPipeline } from '../../pipeline/run.ts';
import { callContext } from '../../pipeline/stages/call.ts';
import { OpenAIBackend, resolveSettings } from '../../pipeline/backends/openai/index.ts';
import { SPECS } from '../../pipeline/backends/openai/engine.ts';
import { tokenCounter } from '../../pipeline/backends/openai/tokens.ts';
import { priceFor } from '../../pipeline/backends/openai/cost.ts';
import { parseBlocks } from '../../pipeline/backends/openai/articles.ts';
import { evaluate } from '../eval.ts';
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

function backendFor(url: string, openai: Record<string, unknown>, cache = true, examples?: ExamplePool, batch = false): OpenAIBackend {
  // Batch polling waits on a clock that does not wait: the local server moves a batch one status per check.
  const clock = batch ? { now: () => Date.now(), sleep: async () => {} } : undefined;
  return new OpenAIBackend(
    resolveSettings({ config: Config.parse({ openai: { baseURL: url, ...openai } }), env: { OPENAI_API_KEY: 'sk-bench' }, cache, batch }),
    { examples, clock },
  );
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** gpt-4o-mini's price of a provider-cached prompt token, as a share of an uncached one. */
const CACHED_SHARE = (() => {
  const p = priceFor('gpt-4o-mini')!;
  return p.cachedInput / p.input;
})();
/** Prompt tokens as they are billed: provider-cached ones at their discount. */
const billed = (r: FakeRequest) => r.promptTokens - r.cachedTokens * (1 - CACHED_SHARE);

/** Every FAIL dev incident extracted, then classified from that postmortem as the classify stage does; the requests each sent. */
async function runIncidents(
  server: FakeOpenAI,
  store: Store,
  incidents: readonly GoldIncident[],
  articles: ReadonlyMap<string, Article>,
  backendOf: (inc: GoldIncident) => OpenAIBackend,
) {
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
      console.log(
        `sample ${label}: ${sent.length} requests ${JSON.stringify(by)}, ${u?.promptTokens ?? 0} prompt + ${u?.completionTokens ?? 0} completion tokens, ` +
          `est. $${(u?.cost ?? 0).toFixed(4)} at gpt-4o-mini prices; ${s.articles} articles → ${s.incidents} incidents, ${s.citations.verified} verified / ${s.citations.unverified} unverified citations; ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    store.close();
    d.cleanup();
    await server.close();
  }
}

const SCHEMA_TOKENS = (backend: OpenAIBackend, format: 'extract' | 'classify') =>
  count(JSON.stringify(backend.chat.jsonSchemaOf({ name: format, schema: SPECS[format].schema })));

/** A request's prompt cut into what it carries, in tokens; `other` is the chat framing and the joins. */
function promptParts(r: FakeRequest): Record<string, number> {
  const [system, ...rest] = r.body.messages;
  const user = rest.map((m) => m.content).join('\n');
  const blocks = parseBlocks(user);
  const text = blocks.reduce((n, b) => n + count(b.text), 0);
  const at = user.indexOf('<<<BEGIN ARTICLE');
  const head = at < 0 ? user : user.slice(0, at);
  const postmortem = /<<<BEGIN POSTMORTEM[\s\S]*?<<<END POSTMORTEM[^\n]*>>>/.exec(user)?.[0] ?? '';
  const examples = EXAMPLES_BLOCK.exec(user)?.[0] ?? '';
  const articlesBlock = at < 0 ? '' : user.slice(at);
  const parts = {
    'static system message': count(system.content),
    'request lines (scope)': count(head.replace(postmortem, '').replace(examples, '')),
    examples: count(examples),
    'postmortem digest head': count(postmortem),
    'article block lines (boundaries, id, headline, date, source)': Math.max(0, count(articlesBlock) - text),
    'article text': text,
  };
  return { ...parts, other: r.promptTokens - Object.values(parts).reduce((x, y) => x + y, 0) };
}

/** The sample in batch mode against the synchronous run: what went out, and what it cost. */
async function sampleBatch(): Promise<void> {
  const cost: Record<string, { runId: string; store: Store; sent: FakeRequest[]; batches: number }> = {};
  const dirs: { cleanup(): void }[] = [];
  const server = await startFakeOpenAI();
  try {
    for (const mode of ['synchronous', 'batch'] as const) {
      const d = tempDir('failscope-openai-bench-');
      dirs.push(d);
      const store = new Store(join(d.dir, `${mode}.db`));
      await ingest(store, [join(SAMPLE, 'articles.jsonl')]);
      const [r0, b0] = [server.requests.length, server.batches.batches.length];
      const backend = backendFor(server.url, UNPACED, true, undefined, mode === 'batch');
      const s = await runPipeline(store, backend, { settings: { backend: 'openai', model: backend.model, concurrency: 4, cache: true } });
      cost[mode] = { runId: s.runId, store, sent: server.requests.slice(r0), batches: server.batches.batches.length - b0 };
    }
    const usage = (m: string) => cost[m].store.modelCalls.usage('stage', cost[m].runId);
    const b = cost.batch;
    const lines = b.sent.filter((r) => r.batch),
      sync = b.sent.filter((r) => !r.batch);
    const total = (m: string) => usage(m).reduce((n, u) => n + u.cost, 0);
    console.log(
      `sample in batch mode: ${b.batches} batches (${b.store.batches
        .list()
        .map((x) => `${x.stage} ${x.requests}`)
        .join(', ')}), ${lines.length} batch lines, ` +
        `${sync.length} synchronous requests (${[...new Set(sync.map((r) => r.format))].join(', ')}: grouping decides one article at a time); ` +
        `est. $${total('batch').toFixed(4)} against $${total('synchronous').toFixed(4)} synchronously (${((100 * total('batch')) / total('synchronous')).toFixed(1)}%); ` +
        `per stage ${usage('batch')
          .map((u) => `${u.key} $${u.cost.toFixed(4)} (sync $${(usage('synchronous').find((x) => x.key === u.key)?.cost ?? 0).toFixed(4)})`)
          .join(', ')}`,
    );
  } finally {
    for (const m of Object.values(cost)) m.store.close();
    for (const d of dirs) d.cleanup();
    await server.close();
  }
}

async function failIncidents(): Promise<void> {
  if (!existsSync(FAIL)) {
    console.log(`FAIL dev incidents: skipped (${FAIL} not found)`);
    return;
  }
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
    const rows = done.incidents.map(({ arts, sent }) => ({
      calls: sent.length,
      prompt: sent.reduce((n, r) => n + r.promptTokens, 0),
      cached: sent.reduce((n, r) => n + r.cachedTokens, 0),
      billed: sent.reduce((n, r) => n + billed(r), 0),
      own: arts.reduce((n, a) => n + count(a.text), 0),
    }));
    const total = (k: 'calls' | 'prompt' | 'cached' | 'billed' | 'own') => rows.reduce((n, r) => n + r[k], 0);
    const ratio = (k: 'prompt' | 'billed') =>
      `${(total(k) / total('own')).toFixed(2)}× overall, per incident median ${median(rows.map((r) => r[k] / r.own)).toFixed(2)}× (max ${Math.max(...rows.map((r) => r[k] / r.own)).toFixed(2)}×)`;
    console.log(
      `FAIL dev incidents: ${rows.length} incidents, extract + classify per incident: calls mean ${mean(rows.map((r) => r.calls)).toFixed(2)} (max ${Math.max(...rows.map((r) => r.calls))}); ` +
        `prompt tokens ${total('prompt')} for ${total('own')} article tokens: ${ratio('prompt')}`,
    );
    console.log(
      `  counting the ${total('cached')} provider-cached prompt tokens at their discount (${CACHED_SHARE}× at gpt-4o-mini prices): ${total('billed').toFixed(0)} tokens = ${ratio('billed')}`,
    );
    const byFormat: Record<string, number> = {};
    for (const r of done.incidents.flatMap((i) => i.sent)) byFormat[r.format ?? '?'] = (byFormat[r.format ?? '?'] ?? 0) + r.promptTokens;
    const cost = store.modelCalls.usage('run_id', run.id)[0]?.cost ?? 0;
    const share = (k: string) => `${byFormat[k] ?? 0} tokens = ${((byFormat[k] ?? 0) / total('own')).toFixed(2)}×`;
    console.log(
      `  extract calls (instructions + the articles): ${share('extract')}; classify calls (instructions + the postmortem digest, or the articles when shorter): ${share('classify')}; ` +
        `incidents with ≥ 3000 article tokens: ${
          rows
            .filter((r) => r.own >= 3000)
            .map((r) => `${(r.prompt / r.own).toFixed(2)}×`)
            .join(', ') || 'none'
        }; est. $${(cost / rows.length).toFixed(5)} per incident at gpt-4o-mini prices (FAIL reported $0.24 with gpt-3.5-turbo)`,
    );
    const screens = incidents.reduce((n, i) => n + i.articleIds.length, 0);
    console.log(
      `  with screening (1 call per article, before the pre-filter): ${((total('calls') + screens) / rows.length).toFixed(2)} calls per incident; FAIL's design: about 40, each carrying all the article text (≈ ${((40 * total('own')) / rows.length).toFixed(0)} prompt tokens per incident here, against ${(total('prompt') / rows.length).toFixed(0)})`,
    );
    // What each part of a prompt costs, per call, mean over the calls of each kind.
    for (const format of ['extract', 'classify'] as const) {
      const rs = done.incidents.flatMap((i) => i.sent).filter((r) => r.format === format);
      const parts = rs.map(promptParts);
      const keys = Object.keys(parts[0]);
      console.log(
        `  ${format} prompt per call (${rs.length} calls, mean ${mean(rs.map((r) => r.promptTokens)).toFixed(0)} tokens, ${mean(rs.map((r) => r.cachedTokens)).toFixed(0)} provider-cached): ` +
          `${keys.map((k) => `${k} ${mean(parts.map((p) => p[k])).toFixed(0)}`).join(', ')}; not counted here, the JSON schema of the answer OpenAI reads before the system message (and caches with it): ${SCHEMA_TOKENS(backend, format)}`,
      );
    }
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
  if (!existsSync(FAIL)) {
    console.log(`examples on the FAIL dev incidents: skipped (${FAIL} not found)`);
    return;
  }
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
      [
        `pool FAIL dev, cross-fitted (${dev.size - 1} incidents each)`,
        (inc) =>
          backendFor(
            server.url,
            { ...UNPACED, examples: { dirs: [FAIL], ...limits } },
            false,
            dev.without({ incidents: [inc.id], articles: inc.articleIds }),
          ),
      ],
    ];
    console.log(
      `examples (k ${limits.k}, maxTokens ${limits.maxTokens}) on the ${gold.incidents.length} FAIL dev incidents, per call: prompt tokens mean [examples block tokens mean, examples shown mean]`,
    );
    let base: Record<string, number> = {};
    for (const [label, backendOf] of pools) {
      const { incidents } = await runIncidents(server, store, gold.incidents, articles, backendOf);
      const calls = incidents.flatMap((i) => i.sent);
      const per = (format: string) => {
        const rs = calls.filter((r) => r.format === format);
        const blocks = rs.map((r) => EXAMPLES_BLOCK.exec(r.body.messages.find((m) => m.role === 'user')!.content)?.[0] ?? '');
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        return {
          calls: rs.length,
          prompt: mean(rs.map((r) => r.promptTokens)),
          examples: mean(blocks.map((b) => count(b))),
          shown: mean(blocks.map((b) => (b.match(/^Example \d+ \(/gm) ?? []).length)),
        };
      };
      const figures = Object.fromEntries((['extract', 'classify'] as const).map((f) => [f, per(f)]));
      if (label === 'no examples') base = Object.fromEntries(Object.entries(figures).map(([f, x]) => [f, x.prompt]));
      console.log(
        `  ${label}: ${Object.entries(figures)
          .map(
            ([f, x]) =>
              `${f} ${x.calls} calls, ${x.prompt.toFixed(0)} tokens` +
              (label === 'no examples'
                ? ''
                : ` (${x.prompt - base[f] >= 0 ? '+' : ''}${(x.prompt - base[f]).toFixed(0)}) [${x.examples.toFixed(0)}, ${x.shown.toFixed(2)}]`),
          )
          .join('; ')}`,
      );
    }
  } finally {
    store.close();
    d.cleanup();
    await server.close();
  }
}

/** The eval on a gold set with and without the pre-filter: calls sent, calls saved, recall lost. */
async function prefilterEval(dir: string): Promise<void> {
  if (!existsSync(dir)) {
    console.log(`pre-filter on ${dir}: skipped (not found)`);
    return;
  }
  const gold = await loadGold(dir);
  const figures: Record<
    string,
    { screen: number; group: number; p: NonNullable<Awaited<ReturnType<typeof evaluate>>['scorecard']['prefilter']>; recall: number | null }
  > = {};
  for (const [label, prefilter] of [
    ['off', null],
    ['on', {}],
  ] as const) {
    const server = await startFakeOpenAI();
    const d = tempDir('failscope-openai-bench-');
    const store = new Store(join(d.dir, 'pipeline.db'));
    try {
      const backend = backendFor(server.url, { ...UNPACED, prefilter });
      const { scorecard } = await evaluate(gold, d.dir, {
        store,
        goldDb: join(d.dir, 'gold.db'),
        backend,
        settings: { backend: 'openai', model: backend.model, concurrency: 4, cache: true },
      });
      // Screening: the end-to-end run; same-incident: both runs (end to end, and the stage alone).
      figures[label] = {
        screen: server.requests.filter((r) => r.format === 'screen').length,
        group: server.requests.filter((r) => r.format === 'same_incident').length,
        p: scorecard.prefilter!,
        recall: scorecard.screening.isFailure.pipeline.recall,
      };
    } finally {
      store.close();
      d.cleanup();
      await server.close();
    }
  }
  const { on, off } = figures;
  const sc = on.p.screen!,
    g = on.p.group,
    g0 = off.p.group;
  console.log(
    `pre-filter on ${gold.name} (${gold.articles.length} articles): screening calls ${off.screen} → ${on.screen} (${(100 * (1 - on.screen / off.screen)).toFixed(1)}% fewer; settled ${sc.settledNo} as not failures, ${sc.settledYes} as failures, ${sc.wrongYes} of them gold non-failures); ` +
      `recall lost ${sc.lost} of ${sc.goldFailures} gold failures (pre-filter recall ${sc.recallLost === null ? '—' : (1 - sc.recallLost).toFixed(3)}; pipeline is-failure recall ${off.recall?.toFixed(3)} → ${on.recall?.toFixed(3)}); ` +
      `same-incident calls ${off.group} → ${on.group}${
        g && g0
          ? `; stage alone, by the similarity thresholds alone → with the pre-filter: ${g0.settled} of ${g0.decisions} → ${g.settled} of ${g.decisions} decisions settled ` +
            `(${(100 * g0.callsSaved).toFixed(1)}% → ${(100 * g.callsSaved).toFixed(1)}%), gold joins lost ${g0.lost} of ${g0.goldSame} → ${g.lost} of ${g.goldSame}, wrong joins ${g0.wrongJoins} → ${g.wrongJoins}`
          : ''
      }`,
  );
}

async function prefilter(): Promise<void> {
  await prefilterEval(FAIL);
  if (process.argv.includes('--ko')) await prefilterEval(join(ROOT, '..', 'shared', 'benchmarks', 'ko'));
}

async function throughput(): Promise<void> {
  const rpm = 600,
    latencyMs = 300,
    n = 240;
  // Canned answers: this measures pacing and transport, so the server should not spend the CPU it shares with the client.
  const canned = JSON.stringify({
    failedSystem: null,
    cause: null,
    impact: null,
    isFailure: true,
    analyzable: false,
    confidence: 0.8,
    rationale: 'canned',
  });
  const server = await startFakeOpenAI({ latencyMs, rpm, override: () => canned });
  const d = tempDir('failscope-openai-bench-');
  const store = new Store(join(d.dir, 'tp.db'));
  try {
    const sample = (await loadGold(join(ROOT, 'data', 'sample'))).articles;
    const arts = Array.from({ length: n }, (_, i) => {
      const r = sample[i % sample.length];
      return toArticle({ ...r, id: `${r.id}-${i}`, text: `${r.text}\n\n(copy ${i})`, origin: 'bench' });
    });
    store.articles.insert(arts);
    const run = store.runs.start({ backend: 'openai', model: 'gpt-4o-mini', concurrency: 8, cache: false });
    const backend = backendFor(server.url, { rpm, concurrency: 8, tpm: 100_000_000, prefilter: null }, false);
    const t0 = performance.now();
    await Promise.all(arts.map((a) => backend.screen(a, callContext(store, run.id, a.id))));
    const secs = (performance.now() - t0) / 1000;
    // The server's view: requests per second between the first and the last arrival (no start-up, no last reply).
    const span = (server.requests.at(-1)!.at - server.requests[0].at) / 1000;
    const arrival = (n - 1) / span;
    const rate = n / secs,
      bound = rpm / 60;
    console.log(
      `throughput (${rpm} RPM limit, ${latencyMs} ms latency, bound ${bound.toFixed(2)} req/s): ${n} calls in ${secs.toFixed(1)} s end to end = ${rate.toFixed(2)} req/s ` +
        `(${((100 * rate) / bound).toFixed(1)}% of the bound, start-up included); arrivals at the server ${arrival.toFixed(2)} req/s (${((100 * arrival) / bound).toFixed(1)}%); ${server.throttled} refused with 429`,
    );
  } finally {
    store.close();
    d.cleanup();
    await server.close();
  }
}

/** The local server in a process of its own: its answering (the offline backend) does not hold up the client's pacing. */
interface ServerTotals {
  requests: number;
  throttled: number;
  byFormat: Record<string, { n: number; first: number; last: number }>;
  cpuSeconds: number;
}
async function serverProcess(args: string[]): Promise<{ url: string; stop(): Promise<ServerTotals> }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'run-ts.js'), join(ROOT, 'evals', 'servers', 'serve-fake-openai.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /fake openai on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`the local server exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.on('exit', () => resolve(JSON.parse(out.trim().split('\n').at(-1)!)));
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The whole pipeline against a server with 300 ms latency that refuses more than 600 requests a minute:
 * requests per second each stage achieved, as a share of the limit. The sample four times over (ids and
 * a line of text changed, so no copy is a duplicate) with the default concurrency.
 */
async function rateShare(): Promise<void> {
  const rpm = 600,
    latencyMs = 300,
    copies = 4,
    CONCURRENCY = Config.parse({}).openai.concurrency;
  const server = await serverProcess(['--latency-ms', String(latencyMs), '--rpm', String(rpm)]);
  const d = tempDir('failscope-openai-bench-');
  const store = new Store(join(d.dir, 'rate.db'));
  let stopped = false;
  try {
    const sample = (await loadGold(SAMPLE)).articles;
    store.articles.insert(
      sample.flatMap((r) =>
        Array.from({ length: copies }, (_, i) =>
          toArticle({ ...r, id: `${r.id}-c${i}`, text: `${r.text}\n\n(copy ${i})`, origin: 'bench' }),
        ),
      ),
    );
    const backend = backendFor(server.url, { rpm, tpm: 100_000_000, concurrency: CONCURRENCY }, false);
    const times = new Map<Stage, { start: number; end: number }>();
    const t0 = performance.now(),
      cpu0 = process.cpuUsage();
    const s = await runPipeline(store, backend, {
      settings: { backend: 'openai', model: backend.model, concurrency: CONCURRENCY, cache: false },
      onEvent: (e) => {
        if (e.type === 'stage') times.set(e.stage, { start: performance.now(), end: performance.now() });
        if (e.type === 'stage-done') times.get(e.stage)!.end = performance.now();
      },
    });
    const secs = (performance.now() - t0) / 1000,
      bound = rpm / 60;
    const sent = new Map(store.modelCalls.usage('stage', s.runId).map((u) => [u.key, u.sent]));
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    const stages = [...times].map(([stage, t]) => {
      const n = sent.get(stage) ?? 0,
        span = (t.end - t.start) / 1000;
      return `${stage} ${n} requests in ${span.toFixed(1)} s = ${((100 * n) / span / bound).toFixed(1)}%`;
    });
    const cpu = process.cpuUsage(cpu0);
    const { throttled, byFormat, cpuSeconds } = await server.stop();
    stopped = true;
    // The server's view: from each stage's first request to its last (no start-up, no last answer).
    const paced = Object.entries(byFormat).map(
      ([f, x]) => `${f} ${x.n > 1 ? `${((100 * (x.n - 1)) / ((x.last - x.first) / 1000) / bound).toFixed(1)}%` : '—'}`,
    );
    console.log(
      `rate limit share, whole pipeline (${rpm} RPM, ${latencyMs} ms latency, concurrency ${CONCURRENCY}; ${store.articles.list().length} articles): ${total} requests in ${secs.toFixed(1)} s = ` +
        `${((100 * total) / secs / bound).toFixed(1)}% of the limit for the whole run; per stage, over its whole time: ${stages.join(', ')}; ` +
        `between a stage's first and last request: ${paced.join(', ')}; ${throttled} refused with 429; CPU: client ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, server ${cpuSeconds.toFixed(1)} s (load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`,
    );
  } finally {
    if (!stopped) await server.stop();
    store.close();
    d.cleanup();
  }
}

/** The grouping stage alone on the openai backend: how much of the rate limit its same-incident calls use. */
async function groupingThroughput(): Promise<void> {
  const rpm = 600,
    latencyMs = 300,
    size = 300,
    concurrency = 8;
  const server = await startFakeOpenAI({ latencyMs, rpm });
  const d = tempDir('failscope-openai-bench-');
  const store = new Store(join(d.dir, 'group.db'));
  try {
    const corpus = writeSyntheticCorpus(ROOT, size, join(d.dir, 'synthetic.jsonl'));
    await ingest(store, [corpus.path]);
    const backend = backendFor(server.url, { rpm, concurrency, tpm: 100_000_000 }, false);
    const ctx = { store, backend, runId: store.runs.start({ backend: 'openai', model: backend.model, concurrency, cache: false }).id };
    // Screened by the synthetic gold, so the only calls are the grouping stage's own.
    const prov = {
      backend: backend.name,
      model: backend.model,
      promptHash: backend.promptHash('screen'),
      schemaHash: null,
      runId: ctx.runId,
    };
    for (const a of store.articles.list())
      store.records.saveScreening(
        a.id,
        { isFailure: corpus.gold.has(a.id), analyzable: false, confidence: 1, rationale: 'synthetic gold' },
        prov,
      );
    const t0 = performance.now();
    const r = await runStage(groupStage, ctx, { concurrency });
    const secs = (performance.now() - t0) / 1000;
    const calls = server.requests.filter((q) => q.format === 'same_incident').length;
    const rate = calls / secs,
      bound = rpm / 60;
    console.log(
      `grouping (${rpm} RPM limit, ${latencyMs} ms latency, concurrency ${concurrency}): ${r.done} articles, ${calls} same-incident calls in ${secs.toFixed(1)} s = ${rate.toFixed(2)} req/s ` +
        `(${((100 * rate) / bound).toFixed(1)}% of the bound); ${store.incidents.list().length} incidents; ${server.throttled} refused with 429`,
    );
  } finally {
    store.close();
    d.cleanup();
    await server.close();
  }
}

// `--only=examples` runs one part; `--throughput-only` is the older spelling of `--only=throughput`.
const only =
  process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ??
  (process.argv.includes('--throughput-only') ? 'throughput' : undefined);
const parts: [string, () => Promise<void>][] = [
  ['sample', sampleRun],
  ['batch', sampleBatch],
  ['fail', failIncidents],
  ['examples', failExamples],
  ['prefilter', prefilter],
  ['throughput', throughput],
  ['grouping', groupingThroughput],
  ['rate', rateShare],
];
if (only && !parts.some(([name]) => name === only))
  throw new Error(`--only=${only}: choose one of ${parts.map(([name]) => name).join(', ')}`);
for (const [name, part] of parts) if (!only || only === name) await part();
