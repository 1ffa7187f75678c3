import type { RunSettings } from '../schemas/index.ts';
import type { Backend } from './backends/backend.ts';
import { type Store, producerOf } from './store/store.ts';
import type { EventSink } from './jobs/events.ts';
import { runStage, type StageResult } from './jobs/runner.ts';
import { STAGE_DEFS } from './stages/index.ts';
import { verifyCitation } from './citations/align.ts';

export interface RunSummary {
  runId: string;
  backend: string;
  model: string;
  stages: StageResult[];
  articles: number;
  failures: number;
  incidents: number;
  records: number;
  labels: number;
  citations: { verified: number; unverified: number; byAlignment: Record<string, number> };
  failedJobs: number;
  skippedInputs: number;
}

/** Checks every stored citation against its article text: the summary's "verified" is measured, not assumed. */
export function verifyStoredCitations(store: Store, producer?: string): RunSummary['citations'] {
  let verified = 0,
    unverified = 0;
  for (const c of store.records.citationsWithText(producer)) {
    if (verifyCitation(c, c.text)) verified++;
    else unverified++;
  }
  return { verified, unverified, byAlignment: store.records.citationCounts(producer) };
}

/** Does whatever work is pending, stage by stage, as one recorded run. */
export async function runPipeline(
  store: Store,
  backend: Backend,
  opts: { settings: RunSettings; onEvent?: EventSink; skippedInputs?: number; runId?: string },
): Promise<RunSummary> {
  if (!opts.runId) store.runs.recoverInterrupted();
  const run = opts.runId ? { id: opts.runId } : store.runs.start(opts.settings);
  opts.onEvent?.({ type: 'run', runId: run.id, backend: backend.name, model: backend.model });
  const ctx = { store, backend, runId: run.id };
  const stages: StageResult[] = [];
  try {
    const concurrency = Math.max(opts.settings.concurrency, backend.jobWindow ?? 0);
    for (const def of STAGE_DEFS)
      stages.push(await runStage(def as (typeof STAGE_DEFS)[number], ctx, { concurrency, onEvent: opts.onEvent }));
  } catch (e) {
    store.runs.finish(run.id, 'failed', { error: (e as Error).message });
    throw e;
  }
  // What this run's backend and model hold: records other models wrote earlier stay in the store, uncounted.
  const producer = producerOf({ backend: backend.name, model: backend.model });
  const counts = store.counts(producer);
  const summary: RunSummary = {
    runId: run.id,
    backend: backend.name,
    model: backend.model,
    stages,
    articles: counts.articles,
    failures: counts.failures,
    incidents: counts.incidents,
    records: counts.postmortems,
    labels: counts.labels,
    citations: verifyStoredCitations(store, producer),
    failedJobs: stages.reduce((n, s) => n + s.failed, 0),
    skippedInputs: opts.skippedInputs ?? 0,
  };
  store.runs.finish(run.id, summary.failedJobs ? 'failed' : 'done', summary as unknown as Record<string, unknown>);
  return summary;
}
