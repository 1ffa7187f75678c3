/**
 * Several `failscope run` processes started at once on one database (issue 12 item 4), against one run
 * alone on a database of its own: jobs done twice, paid calls repeated, spurious failures, lock crashes, and
 * whether the shared database ends with the lone run's records.
 * Prints figures; asserts nothing. `npm run soak` prints them (`concurrentSection`); on their own:
 *
 *   node bin/run-ts.js evals/bench/concurrent.ts [--runs 3] [--offline <input>]… [--keep]
 *
 * offline on the sample and FAIL's dev articles (read from ../shared at run time), or the inputs given,
 * and openai on the sample against the local fake server.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeOpenAI } from '../servers/fake-openai.ts';
import { type ChildResult, ROOT, failscope } from './child.ts';
import { repeats } from './repeats.ts';
import { sameRecords } from './same-records.ts';

export interface ConcurrentFigures {
  name: string;
  exits: (number | null)[];
  /** Runs that stopped on SQLITE_BUSY. */
  lockCrashes: number;
  /** Failed jobs the runs reported, and failed jobs left in the database (what `status` lists). */
  failuresReported: number;
  failuresStored: number;
  /** Why runs that exited 1 stopped (the last line of their stderr). */
  errors: string[];
  /** Jobs each run did, and jobs the runs did between them beyond what the lone run did: work done twice. */
  jobsDone: number[];
  jobsDoneTwice: number;
  /** Requests to the model server, if one is watched: the lone run's, the concurrent runs' together, and repeats among those. */
  requests: { alone: number; together: number; repeated: number } | null;
  records: string;
}

interface Summary {
  stages: { done: number }[];
  failedJobs: number;
}

const summaryOf = (r: ChildResult): Summary | null => {
  const line = r.stdout.split('\n').find((l) => l.startsWith('{"type":"summary"'));
  return line ? (JSON.parse(line) as Summary) : null;
};
const jobsDone = (s: Summary | null) => s?.stages.reduce((n, x) => n + x.done, 0) ?? 0;

function failedJobs(db: string): number {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (d.prepare("SELECT COUNT(*) n FROM jobs WHERE state = 'failed'").get() as { n: number }).n;
  } finally {
    d.close();
  }
}

/**
 * `runs` processes of `failscope run <inputs> <extra>` started together on one database, and one alone on
 * another; `requests` reads the bodies a watched model server has received so far.
 */
export async function concurrentRuns(
  name: string,
  inputs: string[],
  extra: string[],
  opts: { tmp: string; runs?: number; env?: Record<string, string>; requests?: () => unknown[] },
): Promise<ConcurrentFigures> {
  const alone = join(opts.tmp, `${name}-alone.db`),
    shared = join(opts.tmp, `${name}-shared.db`);
  const args = (db: string) => ['run', ...inputs, '--db', db, '--json', ...extra];
  const r0 = opts.requests?.().length ?? 0;
  const single = await failscope(args(alone), { env: opts.env });
  if (single.code !== 0) throw new Error(`${name}: the lone run exited ${single.code}: ${single.stderr}`);
  const r1 = opts.requests?.().length ?? 0;
  const together = await Promise.all(Array.from({ length: opts.runs ?? 3 }, () => failscope(args(shared), { env: opts.env })));
  const sent = opts.requests?.().slice(r1) ?? [];
  const summaries = together.map(summaryOf);
  return {
    name,
    exits: together.map((r) => r.code),
    lockCrashes: together.filter((r) => /database is locked|SQLITE_BUSY/.test(r.stderr)).length,
    failuresReported: summaries.reduce((n, s) => n + (s?.failedJobs ?? 0), 0),
    failuresStored: failedJobs(shared),
    errors: together.filter((r) => r.code === 1).map((r) => r.stderr.trim().split('\n').at(-1) ?? ''),
    jobsDone: summaries.map(jobsDone),
    jobsDoneTwice: summaries.reduce((n, s) => n + jobsDone(s), 0) - jobsDone(summaryOf(single)),
    requests: opts.requests ? { alone: r1 - r0, together: sent.length, repeated: repeats(sent) } : null,
    records: await sameRecords(alone, shared),
  };
}

export function describeConcurrent(f: ConcurrentFigures): string {
  const calls = f.requests
    ? `; requests: ${f.requests.alone} alone, ${f.requests.together} by all together (${f.requests.together - f.requests.alone} beyond the lone run's), ${f.requests.repeated} repeated`
    : '';
  return (
    `${f.exits.length} concurrent ${f.name} runs: exits ${f.exits.join(', ')}; ${f.lockCrashes} lock crash(es); ` +
    `${f.failuresReported} failed job(s) reported, ${f.failuresStored} left in status; ` +
    `jobs done ${f.jobsDone.join(' + ')}, ${f.jobsDoneTwice} of them twice${calls}; records ${f.records}${f.errors.map((e) => `\n  exit 1: ${e}`).join('')}`
  );
}

const SAMPLE = join(ROOT, 'data', 'sample', 'articles.jsonl');
const FAIL = join(ROOT, '..', 'shared', 'benchmarks', 'fail', 'articles.jsonl');
/** The sample and FAIL's dev articles, or the sample alone where ../shared is not there. */
export const OFFLINE_INPUTS = existsSync(FAIL) ? [SAMPLE, FAIL] : [SAMPLE];

/** The soak's section: `runs` runs at once offline on `offline`, then openai on the sample against the local fake server. */
export async function concurrentSection(
  tmp: string,
  log: (line: string) => void,
  opts: { runs?: number; offline?: string[] } = {},
): Promise<void> {
  log(describeConcurrent(await concurrentRuns('offline', opts.offline ?? OFFLINE_INPUTS, [], { tmp, runs: opts.runs })));
  const server = await startFakeOpenAI();
  try {
    // Limits far above what the local server takes, so pacing does not stretch the runs.
    const config = join(tmp, 'concurrent-openai.config.json');
    writeFileSync(config, JSON.stringify({ openai: { rpm: 1_000_000, tpm: 1_000_000_000 } }));
    log(
      describeConcurrent(
        await concurrentRuns('openai', [SAMPLE], ['--backend', 'openai', '--config', config], {
          tmp,
          runs: opts.runs,
          env: { OPENAI_BASE_URL: server.url },
          requests: () => server.requests.map((r) => r.body),
        }),
      ),
    );
  } finally {
    await server.close();
  }
}

// Run on its own, not when the soak imports it.
if (resolve(process.argv[1] ?? '') === import.meta.filename) {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      offline: { type: 'string', multiple: true },
      keep: { type: 'boolean', default: false },
    },
  });
  const tmp = mkdtempSync(join(tmpdir(), 'failscope-concurrent-'));
  try {
    await concurrentSection(tmp, console.log, { runs: Number(values.runs), offline: values.offline });
  } finally {
    if (values.keep) console.log(`databases kept in ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}
