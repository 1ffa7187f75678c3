/**
 * Soak test of the failscope CLI as a user runs it. Prints figures; asserts nothing; not part of `npm test`.
 *
 *   npm run soak [-- --seed 7 --kills 20 --ko-kills 5]
 *
 * 1. Kills: random SIGKILLs during an offline run (the project sample and FAIL's dev articles, read from
 *    ../shared at run time), during an offline run of Ko et al.'s 974 articles (--ko-kills of them), and
 *    during an openai run against the local fake server (the sample), each restarted until done; then
 *    whether its records, row and job counts are identical to an uninterrupted run's, that no job failed
 *    and no label was given twice, and, for openai, how many paid calls were repeated (requests the server
 *    answered twice with the same body).
 * 2. Three runs at once on one database, offline and openai (evals/bench/concurrent.ts): jobs and paid calls
 *    done twice, spurious failures, lock crashes, and whether the records equal one run's alone.
 * 3. Peak memory of `failscope run` on large inputs (evals/bench/large-inputs.ts).
 *
 * About 10 minutes on two idle cores; most of it is starting the 45 restarted processes.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeOpenAI } from '../servers/fake-openai.ts';
import { ROOT, failscope } from './child.ts';
import { killAndResume } from './kill-loop.ts';
import { mulberry32 } from '../metrics/bootstrap.ts';
import { writeLargeInputs } from './large-inputs.ts';
import { OFFLINE_INPUTS, concurrentSection } from './concurrent.ts';
import { repeats } from './repeats.ts';
import { sameRecords, sameStore } from './same-records.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '7' },
    kills: { type: 'string', default: '20' },
    'ko-kills': { type: 'string', default: '5' },
  },
});
const seed = Number(values.seed),
  kills = Number(values.kills),
  koKills = Number(values['ko-kills']);
// Seeded, so a soak can be repeated kill for kill.
const random = mulberry32(seed);
const tmp = mkdtempSync(join(tmpdir(), 'failscope-soak-'));
const SAMPLE = join(ROOT, 'data', 'sample', 'articles.jsonl');
const KO = join(ROOT, '..', 'shared', 'benchmarks', 'ko', 'articles.jsonl');
const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

/** An uninterrupted run, then the same run killed and resumed; `mark` reads a counter before, between and after. */
async function killSoak(
  name: string,
  inputs: string[],
  extra: string[],
  opts: { env?: Record<string, string>; mark?: () => number; kills?: number; spreadMs?: number } = {},
): Promise<number[]> {
  const t0 = performance.now();
  const marks = [opts.mark?.() ?? 0];
  const clean = join(tmp, `${name}-clean.db`),
    killed = join(tmp, `${name}-killed.db`);
  const first = await failscope(['run', ...inputs, '--db', clean, ...extra], { env: opts.env });
  if (first.code !== 0) throw new Error(`${name}: the uninterrupted run exited ${first.code}: ${first.stderr}`);
  const tClean = secs(t0);
  marks.push(opts.mark?.() ?? 0);
  const loop = await killAndResume(
    ['run', ...inputs, '--db', killed, ...extra],
    killed,
    opts.kills ?? kills,
    random,
    opts.env,
    opts.spreadMs,
  );
  marks.push(opts.mark?.() ?? 0);
  console.log(
    `${name}: ${loop.kills} SIGKILLs, ${loop.restarts} restarts, last run exited ${loop.final.code}; records ${await sameRecords(clean, killed)}; ${sameStore(clean, killed)}; uninterrupted run ${tClean}, whole soak ${secs(t0)}`,
  );
  return marks;
}

console.log(`soak (seed ${seed}, ${kills} kills per run; ${tmp})`);
try {
  // ---- 1. kills ------------------------------------------------------------------------------------
  await killSoak('offline', OFFLINE_INPUTS, []);
  // At scale, kills spread over up to 20 s of each restarted run, so they reach grouping and the stages after
  // it (`npm test` kills once, on the sample, after its tenth grouping job).
  if (existsSync(KO)) await killSoak('offline Ko', [KO], [], { kills: koKills, spreadMs: 20_000 });

  // With answers at once the sample takes a few seconds and finishes before 20 kills land; a latency like a
  // real provider's keeps requests in flight for each kill to interrupt.
  const server = await startFakeOpenAI({ latencyMs: 300 });
  try {
    // Limits far above what the local server takes, so pacing does not stretch the soak.
    const config = join(tmp, 'openai.config.json');
    writeFileSync(config, JSON.stringify({ openai: { rpm: 1_000_000, tpm: 1_000_000_000 } }));
    const [a, b, c] = await killSoak('openai', [SAMPLE], ['--backend', 'openai', '--config', config], {
      env: { OPENAI_BASE_URL: server.url },
      mark: () => server.requests.length,
    });
    const bodies = (from: number, to: number) => server.requests.slice(from, to).map((r) => r.body);
    // A kill loses the answers in flight (at most the concurrency, 16 by default): those requests are sent again.
    console.log(
      `openai: uninterrupted run ${b - a} requests (${repeats(bodies(a, b))} repeated); killed and resumed ${c - b} requests, ` +
        `${repeats(bodies(b, c))} repeated paid calls (answered twice for the same request; at most openai.concurrency in flight per kill)`,
    );
  } finally {
    await server.close();
  }

  // ---- 2. concurrent runs ----------------------------------------------------------------------------
  // Three `failscope run` processes at once on one database, offline and openai, against one run alone.
  await concurrentSection(tmp, console.log);

  // ---- 3. peak memory on large inputs ------------------------------------------------------------------
  const large = await writeLargeInputs(tmp);
  const cases: [string, string][] = [
    ['article just under the default limit', large.underLimit],
    ['5 MB article (refused by default)', large.fiveMB],
    ['200 MB JSON Lines line between two records', large.hugeLine],
  ];
  for (const [i, [label, input]] of cases.entries()) {
    const t0 = performance.now();
    const r = await failscope(['run', input, '--db', join(tmp, `large-${i}.db`)]);
    const skipped = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('skipped '))
      .map((l) => l.replace(tmp, '…'));
    console.log(
      `peak memory, ${label}: ${r.peakMB?.toFixed(0) ?? '?'} MB, exit ${r.code}, ${secs(t0)}${skipped.length ? `; ${skipped.join('; ')}` : ''}`,
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
