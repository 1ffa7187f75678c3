import PQueue from 'p-queue';
import type { Stage } from '../../schemas/index.ts';
import { BackendUnavailable, type Backend } from '../backends/backend.ts';
import { LeaseLost, type Store } from '../store/store.ts';
import type { EventSink } from './events.ts';
import { Turns } from './turns.ts';

export interface PlannedJob {
  key: string;
  /** Hash of everything the job's result depends on; a change makes the job pending again. */
  inputHash: string;
}

export interface StageContext {
  store: Store;
  backend: Backend;
  runId: string;
  /**
   * Resolves once every earlier job of this pass has settled: a job awaits it before writing, so results
   * land in job order whatever order the backend answered in (offline worker threads answer out of order).
   */
  turn?: () => Promise<void>;
}

export interface StageDef<P = unknown> {
  name: Stage;
  /** Every job this stage should have done, given the store's current contents. */
  plan(ctx: StageContext): PlannedJob[];
  /** Shared state for one pass over the pending jobs (e.g. the grouping index), with the concurrency the run allows. */
  prepare?(ctx: StageContext, pending: PlannedJob[], opts: { concurrency: number }): P | Promise<P>;
  /** Does one job, writing its results through `ctx.store.jobs.complete` so they land with the job's state. */
  run(job: PlannedJob, ctx: StageContext, prepared: P): Promise<void>;
  /** Order-dependent stages take their jobs one at a time, in plan order. */
  sequential?: boolean;
}

export interface StageResult {
  stage: Stage;
  planned: number;
  done: number;
  failed: number;
  skipped: number;
  /** Jobs another run did, or failed, while this one waited for them or after it planned them. */
  elsewhere: number;
  /** Why this run's jobs failed: each error message, with how many jobs it failed. */
  errors: Record<string, number>;
  /** Set when the backend became unavailable (what happened, and what to check): the run took no more jobs. */
  stopped: string | null;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Waits until `stage` is leased to this run: an order-dependent stage is done by one run at a time. */
async function leaseStage(stage: Stage, ctx: StageContext, onEvent?: EventSink): Promise<void> {
  for (let waited = false; !ctx.store.jobs.leaseStage(stage, ctx.runId); waited = true) {
    if (!waited) onEvent?.({ type: 'wait', stage, jobs: 'all' });
    await ctx.store.jobs.waitForOthers();
  }
}

/**
 * Runs the jobs a stage still owes: never done, done for other inputs, or failed before. Each job is
 * claimed first, so runs sharing the database never do one twice; jobs another live run holds are waited
 * for, and looked at again until that run has settled them. Each job's results and its `done` mark are one
 * transaction, so a killed run resumes where it stopped. An order-dependent stage is planned and run only
 * once this run holds the whole stage.
 */
export async function runStage<P>(
  def: StageDef<P>,
  ctx: StageContext,
  opts: { concurrency: number; onEvent?: EventSink; signal?: AbortSignal },
): Promise<StageResult> {
  const { jobs } = ctx.store;
  if (def.sequential) await leaseStage(def.name, ctx, opts.onEvent);
  try {
    const planned = def.plan(ctx);
    const known = jobs.forStage(def.name);
    let pending = planned.filter((j) => {
      const row = known.get(j.key);
      return row?.state !== 'done' || row.inputHash !== j.inputHash;
    });
    const result: StageResult = {
      stage: def.name,
      planned: planned.length,
      done: 0,
      failed: 0,
      skipped: planned.length - pending.length,
      elsewhere: 0,
      errors: {},
      stopped: null,
    };
    opts.onEvent?.({ type: 'stage', stage: def.name, pending: pending.length, skipped: result.skipped });
    const prepared = pending.length ? ((await def.prepare?.(ctx, pending, { concurrency: opts.concurrency })) as P) : (undefined as P);
    const queue = new PQueue({ concurrency: def.sequential ? 1 : opts.concurrency });
    const settledElsewhere = (key: string) => {
      result.elsewhere++;
      opts.onEvent?.({ type: 'job', stage: def.name, key, state: 'elsewhere' });
    };
    const attempt = async (job: PlannedJob, held: PlannedJob[], turns: Turns) => {
      try {
        await settle(job, held, turns);
      } finally {
        turns.release(job.key);
      }
    };
    const settle = async (job: PlannedJob, held: PlannedJob[], turns: Turns) => {
      // Every job still queued would fail as the last one did, or the user asked to stop: it stays pending for the next run.
      if (result.stopped || opts.signal?.aborted) return;
      const claim = jobs.claim(def.name, job.key, job.inputHash, ctx.runId);
      if (claim === 'held') {
        held.push(job);
        return;
      }
      if (claim !== 'claimed') {
        settledElsewhere(job.key);
        return;
      }
      try {
        // The offline backend answers without waiting on anything: without a turn of the event loop between
        // jobs, a Ctrl-C would be heard only when the stage ends. A job claimed is in flight, and is done.
        await new Promise<void>((resolve) => setImmediate(resolve));
        await def.run(job, { ...ctx, turn: () => turns.wait(job.key) }, prepared);
        result.done++;
        opts.onEvent?.({ type: 'job', stage: def.name, key: job.key, state: 'done' });
      } catch (e) {
        if (e instanceof LeaseLost) {
          settledElsewhere(job.key);
          return;
        }
        await turns.wait(job.key);
        try {
          jobs.fail(def.name, job.key, job.inputHash, ctx.runId, message(e));
        } catch (lost) {
          if (lost instanceof LeaseLost) {
            settledElsewhere(job.key);
            return;
          }
          throw lost;
        }
        result.failed++;
        result.errors[message(e)] = (result.errors[message(e)] ?? 0) + 1;
        opts.onEvent?.({ type: 'job', stage: def.name, key: job.key, state: 'failed', error: message(e) });
        if (e instanceof BackendUnavailable) result.stopped ??= `${e.message}; ${e.hint}`;
      }
    };
    let waiting = 0;
    while (pending.length && !result.stopped && !opts.signal?.aborted) {
      const held: PlannedJob[] = [];
      const turns = new Turns(pending.map((j) => j.key));
      // A store error (not a job's) stops the stage: Promise.all passes it on rather than leaving it unhandled.
      await Promise.all(pending.map((job) => queue.add(() => attempt(job, held, turns))));
      pending = held;
      if (!pending.length) break;
      if (pending.length !== waiting) opts.onEvent?.({ type: 'wait', stage: def.name, jobs: pending.length });
      waiting = pending.length;
      await jobs.waitForOthers();
    }
    opts.onEvent?.({ type: 'stage-done', stage: def.name, done: result.done, failed: result.failed });
    return result;
  } finally {
    if (def.sequential) jobs.releaseStage(def.name, ctx.runId);
  }
}
