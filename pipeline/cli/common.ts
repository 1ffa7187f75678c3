import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { loadConfig } from '../config.ts';
import { createBackend, BACKENDS, defaultBackend } from '../backends/index.ts';
import { Store } from '../store/store.ts';
import type { Backend } from '../backends/backend.ts';
import type { Config } from '../../schemas/index.ts';
import type { Problem } from '../ingest/read.ts';
import { STDIN } from '../ingest/stdin.ts';

export interface CommonOptions {
  db?: string;
  backend?: string;
  model?: string;
  config?: string;
  json?: boolean;
  /** `--no-cache` on commands that call a model. */
  cache?: boolean;
  /** `run --batch`: the provider's Batch API. */
  batch?: boolean;
  modelFile?: string;
  /** `run --workers`: offline threads. */
  workers?: number;
}

/** Options every subcommand takes, so scripts can pass the same flags to any of them. */
export function withCommon(cmd: Command): Command {
  return cmd
    .option('--db <path>', 'SQLite database file (default ./failscope.db, or "db" in the config)')
    .addOption(
      new Option(
        '--backend <name>',
        'offline or openai (default: openai when OPENAI_BASE_URL or openai.baseURL is set, else offline)',
      ).choices([...BACKENDS]),
    )
    .option('--model <name>', 'model name for the backend')
    .option('--model-file <file>', 'offline backend: a model written by failscope learn (default: the shipped model)')
    .option('--config <file>', 'config file (default ./failscope.config.json if present)')
    .option('--json', 'machine-readable output');
}

/** Input left out is named on stderr, with its file and line, and the command goes on. */
export const warnProblem = (p: Problem) => process.stderr.write(`skipped ${p.origin}: ${p.reason}\n`);

export interface Session {
  config: Config;
  store: Store;
  backend: Backend;
  close(): Promise<void>;
}

const readConfig = (opts: CommonOptions) => loadConfig(opts.config, (m) => process.stderr.write(`warning: ${m}\n`));

/** Config < flags. The first line of every command names the backend (on stderr, so stdout stays clean data). */
export async function open(opts: CommonOptions): Promise<Session> {
  const config = readConfig(opts);
  // --model-file is the offline backend's alone: naming one asks for that backend.
  const chosen = opts.backend ?? config.backend ?? (opts.modelFile ? 'offline' : null);
  const fallback = chosen ? null : defaultBackend(config);
  const backendName = chosen ?? fallback!.backend;
  // The offline backend's model is a file, named in provenance by its file and hash: a model name given to it
  // (`--model gpt-4o` with no endpoint set) would label offline answers as that model's.
  if (backendName === 'offline' && opts.model)
    throw new Error(
      `--model ${opts.model} names a model of the openai backend, but this run would use the offline backend${fallback ? ' (no endpoint is configured)' : ''}: give --backend openai (api.openai.com with OPENAI_API_KEY) or set OPENAI_BASE_URL for another server; the offline backend's model is chosen with --model-file`,
    );
  const problems: Problem[] = [];
  let early: string[] | null = [];
  const backend = await createBackend({
    backend: backendName,
    model: backendName === 'openai' ? (opts.model ?? config.model ?? undefined) : undefined,
    config,
    cache: opts.cache !== false,
    modelFile: opts.modelFile,
    workers: opts.workers,
    onProblem: (p) => problems.push(p),
    batch: opts.batch,
    // What the backend says while it is made (a stale model file) follows the line that names it.
    log: (line) => (early ? early.push(line) : process.stderr.write(`${line}\n`)),
  });
  const dbPath = opts.db ?? config.db;
  const why = fallback?.endpoint ? ` at ${fallback.endpoint} (--backend offline for the offline backend)` : '';
  process.stderr.write(`failscope · backend ${backend.name} (${backend.model})${why} · db ${dbPath}\n`);
  for (const line of early) process.stderr.write(`${line}\n`);
  early = null;
  problems.forEach(warnProblem);
  const store = new Store(dbPath, { jobs: config.jobs });
  return {
    config,
    store,
    backend,
    close: async () => {
      await backend.close?.();
      store.close();
    },
  };
}

/**
 * For commands that only read the database (status, export, review): a path that holds none is an
 * error, not a new empty database, and the first line names the backends whose runs made it.
 */
export function openExisting(opts: CommonOptions): Pick<Session, 'store' | 'close'> {
  const config = readConfig(opts);
  const dbPath = opts.db ?? config.db;
  if (!existsSync(dbPath))
    throw new Error(`no database at ${dbPath} (check --db, or create one with \`failscope run\` or \`failscope ingest\`)`);
  const store = new Store(dbPath, { jobs: config.jobs });
  const producers = [...new Set(store.runs.list().map((r) => `${r.settings.backend} (${r.settings.model})`))];
  const made = producers.length ? `made by backend${producers.length > 1 ? 's' : ''} ${producers.join(', ')}` : 'no pipeline run yet';
  process.stderr.write(`failscope · db ${dbPath} · ${made}\n`);
  return { store, close: async () => store.close() };
}

/** Inputs named on the command line must exist: a typo stops the command before anything is stored. */
export function requireExisting(paths: readonly string[]): void {
  const missing = paths.filter((p) => p !== STDIN && !existsSync(p));
  if (!missing.length) return;
  // A web address here is a natural first guess; fetching is collect's job, with its politeness and resumption.
  const web = missing.filter((p) => /^https?:\/\//i.test(p));
  const hint = web.length
    ? ` (a web address is fetched with \`failscope collect ${web[0]}\`, then \`failscope run\` analyses what it stored)`
    : '';
  throw new Error(`no such file or directory: ${missing.join(', ')}${hint}`);
}

/**
 * Checks an --out path before any work is done: a run or a `learn` that ends by failing to write its
 * outputs has wasted the wait. A path that does not exist yet is made when written.
 */
export function requireOut(path: string | undefined, kind: 'directory' | 'file'): void {
  if (!path) return;
  // The folders an --out needs are made; one that is a file already cannot be, and a long learn should not find that out at the end.
  let above = dirname(resolve(path));
  while (!existsSync(above) && dirname(above) !== above) above = dirname(above);
  if (!statSync(above).isDirectory()) throw new Error(`--out ${path}: ${above} is a file, not a folder`);
  if (!existsSync(path)) return;
  const dir = statSync(path).isDirectory();
  if (kind === 'directory' && !dir) throw new Error(`--out ${path} is a file: name a directory (one that does not exist is made)`);
  if (kind === 'file' && dir) throw new Error(`--out ${path} is a directory: name the file to write`);
}

const WRITE_ERRORS: Record<string, string> = {
  EACCES: 'no permission to write there',
  EPERM: 'no permission to write there',
  EROFS: 'the file system there is read-only',
  ENOSPC: 'the disk is full',
};

/** Writes an --out file, making its folders first; a failure says which file and why in words, not only a system code. */
export function writeOut(path: string, text: string): void {
  try {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    writeFileSync(path, text);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`cannot write --out ${path}: ${WRITE_ERRORS[err.code ?? ''] ?? err.message}`);
  }
}

/** Exit codes: 0 all done, 1 error, 3 finished but something was skipped or failed. */
export const EXIT = { ok: 0, error: 1, partial: 3 } as const;

/**
 * Ctrl-C as every long command takes it: the first aborts the returned signal, so the work in flight
 * finishes and is kept (`doing` says what); a second quits at once. `dispose` removes the handler.
 */
export function onCtrlC(doing: string): { signal: AbortSignal; dispose(): void } {
  const stop = new AbortController();
  const handler = () => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write(`\ninterrupted: finishing ${doing} (Ctrl-C again to quit now); run again to resume\n`);
    stop.abort();
  };
  process.on('SIGINT', handler);
  return { signal: stop.signal, dispose: () => process.off('SIGINT', handler) };
}
