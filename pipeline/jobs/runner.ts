import PQueue from 'p-queue';
import type { Stage } from '../../schemas/index.ts';
import type { Backend } from '../backends/backend.ts';
import type { Store } from '../store/store.ts';
import type { EventSink } from './events.ts';

export interface PlannedJob {
  key: string;
  /** Hash of everything the job's result depends on; a change makes the job pending again. */
  inputHash: string;
}

export interface StageContext {
  store: Store;
  backend: Backend;
  runId: string;
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
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Runs the jobs a stage still owes: never done, done for other inputs, or failed before. Each job's
 * results and its `done` mark are one transaction, so a killed run resumes where it stopped.
 */
export async function runStage<P>(def: StageDef<P>, ctx: StageContext, opts: { concurrency: number; onEvent?: EventSink }): Promise<StageResult> {
  const planned = def.plan(ctx);
  const known = ctx.store.jobs.forStage(def.name);
  const pending = planned.filter((j) => {
    const row = known.get(j.key);
    return !row || row.state !== 'done' || row.inputHash !== j.inputHash;
  });
  const result: StageResult = { stage: def.name, planned: planned.length, done: 0, failed: 0, skipped: planned.length - pending.length };
  opts.onEvent?.({ type: 'stage', stage: def.name, pending: pending.length, skipped: result.skipped });
  if (pending.length === 0) {
    opts.onEvent?.({ type: 'stage-done', stage: def.name, done: 0, failed: 0 });
    return result;
  }
  const prepared = (await def.prepare?.(ctx, pending, { concurrency: opts.concurrency })) as P;
  const queue = new PQueue({ concurrency: def.sequential ? 1 : opts.concurrency });
  for (const job of pending) {
    queue.add(async () => {
      ctx.store.jobs.mark(def.name, job.key, job.inputHash, 'running', ctx.runId);
      try {
        await def.run(job, ctx, prepared);
        result.done++;
        opts.onEvent?.({ type: 'job', stage: def.name, key: job.key, state: 'done' });
      } catch (e) {
        result.failed++;
        ctx.store.jobs.mark(def.name, job.key, job.inputHash, 'failed', ctx.runId, message(e));
        opts.onEvent?.({ type: 'job', stage: def.name, key: job.key, state: 'failed', error: message(e) });
      }
    });
  }
  await queue.onIdle();
  opts.onEvent?.({ type: 'stage-done', stage: def.name, done: result.done, failed: result.failed });
  return result;
}
