import type { Stage } from '../../schemas/index.ts';

/** What the runner reports as it works; the CLI renders these as a progress bar or JSON lines. */
export type RunEvent =
  | { type: 'run'; runId: string; backend: string; model: string }
  | { type: 'stage'; stage: Stage; pending: number; skipped: number }
  | { type: 'job'; stage: Stage; key: string; state: 'done' | 'failed'; error?: string }
  | { type: 'stage-done'; stage: Stage; done: number; failed: number };

export type EventSink = (e: RunEvent) => void;
