import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { type JobsConfig, JobState, Stage } from '../../schemas/index.ts';
import type { Connection } from './connection.ts';
import { fromColumns, reader } from './rows.ts';

/** One row of `jobs`: a stage's unit of work, keyed by article or incident id. */
export const Job = z.object({
  stage: Stage,
  key: z.string(),
  inputHash: z.string(),
  state: JobState,
  attempts: z.number().int(),
  error: z.string().nullable(),
  runId: z.string().nullable(),
  /** The run a running job is leased to. */
  leaseOwner: z.string().nullable(),
});
export type Job = z.infer<typeof Job>;

/** A process doing jobs for one run; its leases hold until `expiresAt`, and each heartbeat moves that on. */
const Worker = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  startedAt: z.number().int(),
  expiresAt: z.number().int(),
});

const jobs = reader('jobs', fromColumns(Job));
const workers = reader('workers', fromColumns(Worker));
const stageOwner = reader('stage_leases', z.object({ owner: z.string() }));
const tally = reader('jobs', z.object({ stage: z.string(), state: z.string(), n: z.number().int() }));

/**
 * What `claim` found: the job is now the caller's; a live run holds it; or another run did it since it
 * was planned, or failed it and is still going (the next run retries it, not one alongside).
 */
export type Claim = 'claimed' | 'held' | 'done' | 'failed';

/** The job's lease went to another run (this one was taken for dead), or the job was forgotten meanwhile. */
export class LeaseLost extends Error {
  constructor(stage: Stage, key: string) {
    super(`${stage} ${key}: no longer leased to this run`);
  }
}

export type JobStoreOptions = Pick<JobsConfig, 'leaseMs' | 'heartbeatMs' | 'waitMs'> & { clock: () => number };

const HOST = hostname();

/** Whether a process of this machine is there (signal 0 only checks); EPERM: there, but another user's. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Each stage's jobs: what was done for which inputs, so a re-run does only what changed or failed; and
 * who is doing what, so several processes share the work. A job is claimed in one IMMEDIATE transaction
 * and stays leased to its run while the run's worker beats; whatever a dead worker held goes to the next
 * claimant. Everything about claims and leases is here, behind methods another store could implement.
 */
export class JobStore {
  readonly #beats = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly c: Connection,
    private readonly opts: JobStoreOptions,
  ) {}

  forStage(stage: Stage): Map<string, Job> {
    return new Map(jobs.all(this.c.db.prepare('SELECT * FROM jobs WHERE stage = ?').all(stage)).map((j) => [j.key, j]));
  }

  /** Sets a job's state outright, leased to no one. */
  mark(stage: Stage, key: string, inputHash: string, state: JobState, runId: string, error: string | null = null): void {
    this.c.db
      .prepare(`INSERT INTO jobs (stage, key, input_hash, state, attempts, error, run_id, lease_owner, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)
      ON CONFLICT (stage, key) DO UPDATE SET input_hash = excluded.input_hash, state = excluded.state,
        attempts = jobs.attempts + excluded.attempts, error = excluded.error, run_id = excluded.run_id, lease_owner = NULL,
        updated_at = excluded.updated_at`)
      .run(stage, key, inputHash, state, state === 'running' ? 1 : 0, error, runId, this.#stamp());
  }

  /** Forgets the jobs of these stages for one key, so they are planned afresh. */
  forget(stages: readonly Stage[], key: string): void {
    const del = this.c.db.prepare('DELETE FROM jobs WHERE stage = ? AND key = ?');
    for (const stage of stages) del.run(stage, key);
  }

  // ---- workers --------------------------------------------------------------------------------------

  /** Makes a run a worker of this process, its leases renewed every `heartbeatMs` until `retire`. */
  enlist(worker: string): void {
    this.heartbeat(worker);
    clearInterval(this.#beats.get(worker));
    // A beat that fails (the database busy past the timeout) is made up by the next; the process's exit
    // must not wait for one.
    this.#beats.set(
      worker,
      setInterval(() => {
        try {
          this.heartbeat(worker);
        } catch {
          /* next beat */
        }
      }, this.opts.heartbeatMs).unref(),
    );
  }

  /** Renews a worker's leases; a worker taken for dead meanwhile is one again, though its jobs have gone. */
  heartbeat(worker: string): void {
    const now = this.opts.clock();
    this.c.db
      .prepare(`INSERT INTO workers (id, host, pid, started_at, expires_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at`)
      .run(worker, HOST, process.pid, now, now + this.opts.leaseMs);
  }

  /** The worker is done: its heartbeat stops, and whatever it still holds is released. */
  retire(worker: string): void {
    clearInterval(this.#beats.get(worker));
    this.#beats.delete(worker);
    this.c.tx(() => this.#release(worker));
  }

  /** Stops this process's heartbeats (the store is closing); what they held lapses when their leases do. */
  stopHeartbeats(): void {
    for (const t of this.#beats.values()) clearInterval(t);
    this.#beats.clear();
  }

  /**
   * Releases what workers that are gone held (their running jobs become pending, their stage leases go)
   * and forgets them; running jobs leased to no worker (left by a version without leases) are released
   * too. Returns the workers that are alive.
   */
  reclaimExpired(): Set<string> {
    return this.c.tx(() => {
      const live = this.#live();
      for (const w of workers.all(this.c.db.prepare('SELECT * FROM workers').all())) if (!live.has(w.id)) this.#release(w.id);
      this.c.db
        .prepare(`UPDATE jobs SET state = 'pending', lease_owner = NULL
        WHERE state = 'running' AND (lease_owner IS NULL OR lease_owner NOT IN (SELECT id FROM workers))`)
        .run();
      return live;
    });
  }

  /**
   * Workers whose leases hold: not expired, and, on this machine, whose process is still there (so a
   * killed run's jobs are taken over at once here; elsewhere when its lease runs out).
   */
  #live(): Set<string> {
    const now = this.opts.clock();
    const rows = workers.all(this.c.db.prepare('SELECT * FROM workers').all());
    return new Set(rows.filter((w) => w.expiresAt > now && (w.host !== HOST || processAlive(w.pid))).map((w) => w.id));
  }

  #release(worker: string): void {
    this.c.db.prepare("UPDATE jobs SET state = 'pending', lease_owner = NULL WHERE lease_owner = ? AND state = 'running'").run(worker);
    this.c.db.prepare('DELETE FROM stage_leases WHERE owner = ?').run(worker);
    this.c.db.prepare('DELETE FROM workers WHERE id = ?').run(worker);
  }

  // ---- claims -----------------------------------------------------------------------------------------

  /**
   * Leases a job to `worker` unless it is done for these inputs, held by a live run (or its stage is),
   * or failed by a live run (this one too).
   */
  claim(stage: Stage, key: string, inputHash: string, worker: string): Claim {
    return this.c.tx(() => {
      const row = jobs.maybe(this.c.db.prepare('SELECT * FROM jobs WHERE stage = ? AND key = ?').get(stage, key));
      if (row?.state === 'done' && row.inputHash === inputHash) return 'done';
      let live: Set<string> | undefined;
      const alive = (id: string) => (live ??= this.#live()).has(id);
      if (row?.state === 'running' && row.leaseOwner && alive(row.leaseOwner)) return 'held';
      const holder = this.#stageHolder(stage);
      if (holder && holder !== worker && alive(holder)) return 'held';
      if (row?.state === 'failed' && row.inputHash === inputHash && row.runId && alive(row.runId)) return 'failed';
      this.c.db
        .prepare(`INSERT INTO jobs (stage, key, input_hash, state, attempts, error, run_id, lease_owner, updated_at)
        VALUES (?, ?, ?, 'running', 1, NULL, ?, ?, ?)
        ON CONFLICT (stage, key) DO UPDATE SET input_hash = excluded.input_hash, state = 'running', attempts = jobs.attempts + 1,
          error = NULL, run_id = excluded.run_id, lease_owner = excluded.lease_owner, updated_at = excluded.updated_at`)
        .run(stage, key, inputHash, worker, worker, this.#stamp());
      return 'claimed';
    });
  }

  /** Writes a claimed job's results and marks it done in one transaction: a kill leaves both or neither. */
  complete(stage: Stage, key: string, inputHash: string, worker: string, write: () => void): void {
    this.#settle(stage, key, inputHash, worker, 'done', null, write);
  }

  /** Records why a claimed job failed; the next run retries it. */
  fail(stage: Stage, key: string, inputHash: string, worker: string, error: string): void {
    this.#settle(stage, key, inputHash, worker, 'failed', error);
  }

  /**
   * Settles a job still leased to `worker`, in a stage still its own if the stage is leased whole (a run
   * taken for dead may have lost either); otherwise writes nothing, lets go of the job, and throws LeaseLost.
   */
  #settle(
    stage: Stage,
    key: string,
    inputHash: string,
    worker: string,
    state: 'done' | 'failed',
    error: string | null,
    write?: () => void,
  ): void {
    const kept = this.c.tx(() => {
      const row = jobs.maybe(this.c.db.prepare('SELECT * FROM jobs WHERE stage = ? AND key = ?').get(stage, key));
      const holder = this.#stageHolder(stage);
      if (row?.state !== 'running' || row.leaseOwner !== worker || (holder && holder !== worker)) {
        this.c.db
          .prepare(
            "UPDATE jobs SET state = 'pending', lease_owner = NULL WHERE stage = ? AND key = ? AND state = 'running' AND lease_owner = ?",
          )
          .run(stage, key, worker);
        return false;
      }
      write?.();
      this.c.db
        .prepare(
          'UPDATE jobs SET input_hash = ?, state = ?, error = ?, run_id = ?, lease_owner = NULL, updated_at = ? WHERE stage = ? AND key = ?',
        )
        .run(inputHash, state, error, worker, this.#stamp(), stage, key);
      return true;
    });
    if (!kept) throw new LeaseLost(stage, key);
  }

  #stageHolder(stage: Stage): string | undefined {
    return stageOwner.maybe(this.c.db.prepare('SELECT owner FROM stage_leases WHERE stage = ?').get(stage))?.owner;
  }

  #stamp(): string {
    return new Date(this.opts.clock()).toISOString();
  }

  /** Leases a whole stage to `worker` (an order-dependent one); false while another live worker holds it. */
  leaseStage(stage: Stage, worker: string): boolean {
    return this.c.tx(() => {
      const holder = this.#stageHolder(stage);
      if (holder && holder !== worker && this.#live().has(holder)) return false;
      this.c.db
        .prepare(
          'INSERT INTO stage_leases (stage, owner, since) VALUES (?, ?, ?) ON CONFLICT (stage) DO UPDATE SET owner = excluded.owner, since = excluded.since',
        )
        .run(stage, worker, this.opts.clock());
      return true;
    });
  }

  releaseStage(stage: Stage, worker: string): void {
    this.c.db.prepare('DELETE FROM stage_leases WHERE stage = ? AND owner = ?').run(stage, worker);
  }

  /** Resolves when jobs other runs hold may have moved on: SQLite tells no one of a change, so after `waitMs`. */
  waitForOthers(): Promise<void> {
    return sleep(this.opts.waitMs);
  }

  // ---- reading ----------------------------------------------------------------------------------------

  counts(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const r of tally.all(this.c.db.prepare('SELECT stage, state, COUNT(*) n FROM jobs GROUP BY stage, state').all())) {
      (out[r.stage] ??= {})[r.state] = r.n;
    }
    return out;
  }

  failed(): Job[] {
    return jobs.all(this.c.db.prepare("SELECT * FROM jobs WHERE state = 'failed' ORDER BY stage, key").all());
  }
}
