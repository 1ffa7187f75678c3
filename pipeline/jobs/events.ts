import type { Stage } from '../../schemas/index.ts';

/** What the runner reports as it works; the CLI renders these as a progress bar or JSON lines. */
export type RunEvent =
  | { type: 'run'; runId: string; backend: string; model: string }
  | { type: 'stage'; stage: Stage; pending: number; skipped: number }
  /** `elsewhere`: another run sharing the database did the job, or failed it. */
  | { type: 'job'; stage: Stage; key: string; state: 'done' | 'failed' | 'elsewhere'; error?: string }
  /** Jobs another live run holds, or `all` when it holds the whole stage: this run waits for them. */
  | { type: 'wait'; stage: Stage; jobs: number | 'all' }
  | { type: 'stage-done'; stage: Stage; done: number; failed: number };

export type EventSink = (e: RunEvent) => void;
