/**
 * Performance benchmark of the offline pipeline: wall time per stage, articles per second, peak memory and
 * the largest incident, on the project sample, on Ko et al.'s 974 articles (when ../shared is beside the
 * repo) and on synthetic corpora of 1k and 10k articles made from the project's own text (`--20k` adds
 * one of 20k). Each corpus runs in its own process, so its peak memory is its own. Prints figures;
 * asserts nothing (tests check behaviour, benchmarks measure).
 *
 *   npm run bench                                  # offline, then the openai backend against a local server
 *   node bin/run-ts.js evals/bench/offline.ts --20k
 *   node bin/run-ts.js evals/bench/offline.ts --workers 1   # threads (default: one per core, as `failscope run`)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { Store } from '../../pipeline/store/store.ts';
import { ingest } from '../../pipeline/ingest/ingest.ts';
import { OfflineBackend } from '../../pipeline/backends/offline/index.ts';
import { runPipeline } from '../../pipeline/run.ts';
import type { RunEvent } from '../../pipeline/jobs/events.ts';
import { daysBetween } from '../../pipeline/text/dates.ts';
import { vMeasure } from '../metrics/vmeasure.ts';
import { writeSyntheticCorpus } from './synthetic.ts';

interface Figures {
  name: string;
  articles: number;
  incidents: number;
  labels: number;
  verified: number;
  ingestMs: number;
  stageMs: Record<string, number>;
  /** CPU time (user + system) per stage, which other work on the machine slows far less than wall time. */
  stageCpuMs: Record<string, number>;
  runMs: number;
  runCpuMs: number;
  rerunMs: number;
  rerunJobs: number;
  peakRssMb: number;
  largest: { articles: number; days: number };
  longestDays: number;
  /** Grouping of the articles the pipeline grouped, against the input's own gold incidents, if it has them. */
  vMeasure: number | null;
}

const STAGES = ['screen', 'group', 'extract', 'classify'];
const settings = { backend: 'offline', model: 'lexicon-v1', concurrency: 4, cache: true } as const;

const GoldLine = z.object({ id: z.string(), gold: z.object({ incidentId: z.string().nullable().optional() }).nullable().optional() });

function goldIncidents(input: string): Map<string, string> {
  const gold = new Map<string, string>();
  readFileSync(input, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      const parsed = GoldLine.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${input}:${i + 1}: not an article: ${parsed.error.message}`);
      if (parsed.data.gold?.incidentId) gold.set(parsed.data.id, parsed.data.gold.incidentId);
    });
  return gold;
}

/** One corpus, in this process: ingest, run, re-run, measure. */
async function measure(name: string, input: string, workers: number): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'failscope-bench-'));
  const store = new Store(join(dir, 'bench.db'));
  try {
    const t0 = performance.now();
    const ing = await ingest(store, [input]);
    const ingestMs = performance.now() - t0;
    const cpu = () => {
      const c = process.cpuUsage();
      return (c.user + c.system) / 1000;
    };
    const stageStart = new Map<string, [number, number]>();
    const stageMs: Record<string, number> = {},
      stageCpuMs: Record<string, number> = {};
    const onEvent = (e: RunEvent) => {
      if (e.type === 'stage') stageStart.set(e.stage, [performance.now(), cpu()]);
      if (e.type === 'stage-done') {
        const [t, c] = stageStart.get(e.stage) ?? [performance.now(), cpu()];
        stageMs[e.stage] = performance.now() - t;
        stageCpuMs[e.stage] = cpu() - c;
      }
    };
    const t1 = performance.now(),
      c1 = cpu();
    const backend = new OfflineBackend({ workers });
    const summary = await runPipeline(store, backend, { settings, onEvent });
    const runMs = performance.now() - t1,
      runCpuMs = cpu() - c1;
    const t2 = performance.now();
    const again = await runPipeline(store, backend, { settings });
    const rerunMs = performance.now() - t2;
    await backend.close();
    const incidents = store.incidents.list();
    const published = new Map(store.articles.list().map((a) => [a.id, a.published]));
    const span = (ids: string[]) => {
      const dates = ids
        .map((id) => published.get(id))
        .filter((d): d is string => !!d)
        .sort();
      return dates.length ? Math.round(daysBetween(dates[0], dates[dates.length - 1])!) : 0;
    };
    const largest = incidents.reduce((a, b) => (b.articleIds.length > a.articleIds.length ? b : a), incidents[0]);
    const gold = goldIncidents(input);
    const pairs = [...store.incidents.membership()].filter(([id]) => gold.has(id)).map(([id, inc]) => ({ gold: gold.get(id)!, pred: inc }));
    return {
      name,
      articles: ing.inserted,
      incidents: summary.incidents,
      labels: summary.labels,
      verified: summary.citations.verified,
      ingestMs,
      stageMs,
      stageCpuMs,
      runMs,
      runCpuMs,
      rerunMs,
      rerunJobs: again.stages.reduce((n, s) => n + s.done, 0),
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      largest: { articles: largest?.articleIds.length ?? 0, days: largest ? span(largest.articleIds) : 0 },
      longestDays: Math.max(0, ...incidents.map((i) => span(i.articleIds))),
      vMeasure: pairs.length ? vMeasure(pairs).vMeasure : null,
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(f: Figures): void {
  const total = f.ingestMs + f.runMs;
  console.log(`${f.name}: ${f.articles} articles → ${f.incidents} incidents, ${f.labels} labels, ${f.verified} verified citations`);
  console.log(`  ingest ${f.ingestMs.toFixed(0)} ms; ${STAGES.map((s) => `${s} ${(f.stageMs[s] ?? 0).toFixed(0)} ms`).join(', ')}`);
  console.log(
    `  CPU: ${STAGES.map((s) => `${s} ${(f.stageCpuMs[s] ?? 0).toFixed(0)} ms`).join(', ')}; pipeline ${(f.runCpuMs / 1000).toFixed(2)} s`,
  );
  console.log(
    `  pipeline ${(f.runMs / 1000).toFixed(2)} s, ${(f.articles / (total / 1000)).toFixed(1)} articles/s end to end (ingest included); peak RSS ${f.peakRssMb.toFixed(0)} MB`,
  );
  console.log(
    `  largest incident ${f.largest.articles} articles over ${f.largest.days} days; longest span ${f.longestDays} days${f.vMeasure === null ? '' : `; grouping V-measure ${f.vMeasure.toFixed(3)} against the input's gold`}`,
  );
  console.log(`  re-run with nothing changed: ${f.rerunMs.toFixed(0)} ms, ${f.rerunJobs} jobs done`);
}

function growth(small: Figures, large: Figures): void {
  const ratio = (a: number, b: number) => (a > 0 ? `${(b / a).toFixed(1)}×` : '—');
  const parts = [
    ...STAGES.map((s) => `${s} ${ratio(small.stageMs[s] ?? 0, large.stageMs[s] ?? 0)}`),
    `ingest ${ratio(small.ingestMs, large.ingestMs)}`,
    `total ${ratio(small.ingestMs + small.runMs, large.ingestMs + large.runMs)}`,
  ];
  const cpuParts = [
    ...STAGES.map((s) => `${s} ${ratio(small.stageCpuMs[s] ?? 0, large.stageCpuMs[s] ?? 0)}`),
    `pipeline ${ratio(small.runCpuMs, large.runCpuMs)}`,
  ];
  console.log(
    `growth ${small.name} → ${large.name} (${ratio(small.articles, large.articles)} the articles): ${parts.join(', ')}; peak RSS ${ratio(small.peakRssMb, large.peakRssMb)}`,
  );
  console.log(`  in CPU time: ${cpuParts.join(', ')}`);
}

/** Runs one corpus in a child process and reads its figures from the last line it prints. */
function inChild(name: string, input: string, workers: number): Figures {
  const out = execFileSync(process.execPath, ['bin/run-ts.js', 'evals/bench/offline.ts', '--child', name, input, String(workers)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Figures;
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  console.log(JSON.stringify(await measure(args[1], args[2], Number(args[3]))));
} else {
  const at = args.indexOf('--workers');
  const workers = at >= 0 ? Number(args[at + 1]) : availableParallelism();
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(
    `offline benchmark, ${workers} worker thread(s); load average at start ${load()} (2 cores: above ~2 the figures are slowed by other work)`,
  );
  const corpora: [string, string][] = [
    ['sample', 'data/sample/articles.jsonl'],
    ['ko', join('..', 'shared', 'benchmarks', 'ko', 'articles.jsonl')],
  ];
  const dir = mkdtempSync(join(tmpdir(), 'failscope-synthetic-'));
  try {
    for (const size of [1_000, 10_000, ...(args.includes('--20k') ? [20_000] : [])]) {
      const path = join(dir, `synthetic-${size / 1000}k.jsonl`);
      writeSyntheticCorpus('.', size, path);
      corpora.push([`synthetic-${size / 1000}k`, path]);
    }
    const results = new Map<string, Figures>();
    for (const [name, input] of corpora) {
      if (!existsSync(input)) {
        console.log(`${name}: skipped (${input} not found)`);
        continue;
      }
      const f = inChild(name, input, workers);
      results.set(name, f);
      print(f);
    }
    const [small, large] = [results.get('synthetic-1k'), results.get('synthetic-10k')];
    if (small && large) growth(small, large);
    console.log(`load average at end ${load()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
