import type { RunSettings } from '../schemas/index.ts';
import type { Backend } from './backends/backend.ts';
import { type Store, producerOf } from './store/store.ts';
import type { EventSink } from './jobs/events.ts';
import { runStage, type StageResult } from './jobs/runner.ts';
import { STAGE_DEFS } from './stages/index.ts';
import { staleGrouping } from './stages/group.ts';
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
  /** Articles taken out of their incidents and grouped anew; and those left in an incident another grouping made. */
  grouping: { regrouped: number; stale: number };
  /** Why the run stopped before its last stage (the backend became unavailable), or null. */
  stopped: string | null;
  /** Asked to stop (Ctrl-C): the jobs in flight were finished, the rest left pending. */
  interrupted: boolean;
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

/**
 * Does whatever work is pending, stage by stage, as one recorded run. `regroup`: group every article
 * anew (true), only when some were grouped by another grouping (`'stale'`: what an eval needs, whose
 * figures must be those of a fresh database), or never (the default: incidents stay as they are).
 */
export async function runPipeline(
  store: Store,
  backend: Backend,
  opts: {
    settings: RunSettings;
    onEvent?: EventSink;
    skippedInputs?: number;
    runId?: string;
    regroup?: boolean | 'stale';
    /** Aborted: take no more jobs, finish those in flight, and end the run as interrupted. */
    signal?: AbortSignal;
  },
): Promise<RunSummary> {
  if (!opts.runId) store.runs.recoverInterrupted();
  const run = opts.runId ? { id: opts.runId } : store.runs.start(opts.settings);
  opts.onEvent?.({ type: 'run', runId: run.id, backend: backend.name, model: backend.model });
  const ctx = { store, backend, runId: run.id };
  const stale = staleGrouping(ctx);
  const regrouped = opts.regroup === true || (opts.regroup === 'stale' && stale > 0) ? store.incidents.ungroupAll() : 0;
  const stages: StageResult[] = [];
  try {
    const concurrency = Math.max(opts.settings.concurrency, backend.jobWindow ?? 0);
    for (const def of STAGE_DEFS) {
      const done = await runStage(def as (typeof STAGE_DEFS)[number], ctx, { concurrency, onEvent: opts.onEvent, signal: opts.signal });
      stages.push(done);
      if (def.name === 'group') store.incidents.dropEmpty();
      if (done.stopped || opts.signal?.aborted) break;
    }
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
    grouping: { regrouped, stale: regrouped ? 0 : stale },
    stopped: stages.find((x) => x.stopped)?.stopped ?? null,
    interrupted: !!opts.signal?.aborted,
  };
  const status = summary.interrupted ? 'interrupted' : summary.failedJobs || summary.stopped ? 'failed' : 'done';
  store.runs.finish(run.id, status, summary as unknown as Record<string, unknown>);
  return summary;
}
