import { performance } from 'node:perf_hooks';
import type { Citation, Postmortem, PrefilterDecision, RunSettings, Screening, TaxonomyLabel } from '../schemas/index.ts';
import { POSTMORTEM_FIELDS } from '../schemas/index.ts';
import { type Backend, TASKS, type Task } from '../pipeline/backends/backend.ts';
import { Store, producerOf } from '../pipeline/store/store.ts';
import { ingest, type IngestResult } from '../pipeline/ingest/ingest.ts';
import { runPipeline, type RunSummary } from '../pipeline/run.ts';
import { runStage } from '../pipeline/jobs/runner.ts';
import { extractStage } from '../pipeline/stages/extract.ts';
import { classifyStage } from '../pipeline/stages/classify.ts';
import { callContext } from '../pipeline/stages/call.ts';
import { Grouper } from '../pipeline/group/cluster.ts';
import { AskAhead, askBackend } from '../pipeline/group/ahead.ts';
import { TUNING } from '../pipeline/group/tuning.ts';
import { verifyCitation } from '../pipeline/citations/align.ts';
import type { EventSink } from '../pipeline/jobs/events.ts';
import type { Problem } from '../pipeline/ingest/read.ts';
import { type GoldSet, goldClusterOf } from './gold.ts';
import type { CrossFitInfo } from './crossfit.ts';
import { EvalInterrupted } from './interrupted.ts';

/** What the pipeline answered for one gold article. Null fields: the pipeline gave no answer. */
export interface ArticlePrediction {
  id: string;
  isFailure: boolean | null;
  analyzable: boolean | null;
  confidence: number | null;
  /** The pipeline's own incident (end to end). */
  incidentId: string | null;
  /** The grouping stage alone, run over the gold-relevant articles only. */
  stageIncidentId: string | null;
  /** Set when the store found this text to be a copy of another article; it then shares that article's answers. */
  duplicateOf: string | null;
}

/** What extract and classify produced for one gold incident, on the gold grouping. */
export interface IncidentPrediction {
  id: string;
  articleIds: string[];
  postmortem: Postmortem | null;
  labels: TaxonomyLabel[];
}

export const ALIGNMENTS = ['exact', 'normalized', 'fuzzy', 'unaligned'] as const;
export type AlignmentCounts = Record<(typeof ALIGNMENTS)[number], number> & { verified: number };

export interface HarnessResult {
  backend: string;
  model: string;
  producer: string;
  e2e: RunSummary;
  goldRunId: string;
  ingest: IngestResult;
  articles: Map<string, ArticlePrediction>;
  incidents: Map<string, IncidentPrediction>;
  /** Alignment counts of the citations behind the scored answers: per gold incident, and over the end-to-end records. */
  citations: { perIncident: Map<string, AlignmentCounts>; endToEnd: AlignmentCounts };
  seconds: Record<string, number>;
  learning: Learning;
  /** Per task, the hash of what the backend asks with (prompts and examples; the offline model), as in every cache key. */
  prompts: Record<Task, string>;
  /** Decisions the offline pre-filter could settle (model backends): each article's screening, and the stage-alone grouping's. */
  prefilter: { screen: PrefilterDecision[]; group: PrefilterDecision[] };
}

export interface HarnessOptions {
  /** The end-to-end store (already open); the gold-grouping store is opened at `goldDb`. */
  store: Store;
  goldDb: string;
  backend: Backend;
  settings: RunSettings;
  onEvent?: EventSink;
  onProblem?: (p: Problem) => void;
  /** What the backend learned from, and whether it is cross-fitted for this gold set (evals/crossfit.ts). */
  learning?: Learning;
  /** Ctrl-C: the jobs in flight finish and are kept, and nothing is scored (a re-run resumes). */
  signal?: AbortSignal;
}

export interface Learning {
  /** The labelled folders the model (or example pool) learned from. */
  learnedFrom: string[];
  crossFit: CrossFitInfo | null;
}

export const emptyCounts = (): AlignmentCounts => ({ exact: 0, normalized: 0, fuzzy: 0, unaligned: 0, verified: 0 });

function tally(into: AlignmentCounts, citations: readonly Citation[], texts: ReadonlyMap<string, string>): void {
  for (const c of citations) {
    into[c.alignment]++;
    const text = texts.get(c.articleId);
    if (text !== undefined && verifyCitation(c, text)) into.verified++;
  }
}

function recordCitations(pm: Postmortem | null, labels: readonly TaxonomyLabel[]): Citation[] {
  const fromFacts = pm ? POSTMORTEM_FIELDS.flatMap((f) => pm[f].flatMap((fact) => fact.citations)) : [];
  return [...fromFacts, ...labels.flatMap((l) => l.citations)];
}

/**
 * Runs the pipeline on a gold set without ever showing it the gold: articles go in through the normal
 * ingest path (which keeps only id, text and metadata). Two stores, both kept in the output directory
 * and reused on re-runs so finished jobs and cached model responses are reused:
 * - the end-to-end store runs screen → group → extract → classify as `failscope run` would;
 * - the gold-grouping store holds the gold incidents as its incidents, so extract and classify are
 *   scored on the gold grouping (grouping errors do not compound), with the same jobs, cache and
 *   provenance. The grouping stage alone is also run there over the gold-relevant articles.
 * (The schema lets an article belong to one incident only, hence two stores rather than one.)
 */
export async function runHarness(gold: GoldSet, opts: HarnessOptions): Promise<HarnessResult> {
  const { store, backend } = opts;
  const seconds: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      seconds[name] = Number(((performance.now() - t0) / 1000).toFixed(3));
    }
  };
  const producer = producerOf({ backend: backend.name, model: backend.model });

  // ---- end to end ----
  store.runs.recoverInterrupted();
  const run = store.runs.start(opts.settings);
  const ingested = await timed('ingest', () =>
    ingest(store, [gold.articlesFile], { runId: run.id, onProblem: opts.onProblem, signal: opts.signal }),
  );
  const e2e = await timed('pipeline', () =>
    // A kept database grouped by another model or method would otherwise score the old grouping.
    runPipeline(store, backend, {
      runId: run.id,
      settings: opts.settings,
      onEvent: opts.onEvent,
      skippedInputs: ingested.problems.length,
      regroup: 'stale',
      signal: opts.signal,
    }),
  );
  if (e2e.interrupted) throw new EvalInterrupted();
  // Scores of a run the backend broke off would measure the outage, not the method.
  if (e2e.stopped) throw new Error(`nothing scored: the run stopped: ${e2e.stopped}`);
  const stored = new Map(store.articles.list({ includeDuplicates: true }).map((a) => [a.id, a]));
  const screenings = store.records.screenings();
  const membership = store.incidents.membership();
  const articles = new Map<string, ArticlePrediction>();
  for (const g of gold.articles) {
    const a = stored.get(g.id);
    const source = a?.duplicateOf ?? g.id;
    const s: Screening | undefined = a ? screenings.get(source) : undefined;
    articles.set(g.id, {
      id: g.id,
      isFailure: s ? s.isFailure : null,
      analyzable: s ? s.analyzable : null,
      confidence: s ? s.confidence : null,
      incidentId: a ? (membership.get(source) ?? null) : null,
      stageIncidentId: null,
      duplicateOf: a?.duplicateOf ?? null,
    });
  }
  const e2eCounts = emptyCounts();
  const e2eTexts = new Map([...stored].map(([id, a]) => [id, a.text]));
  for (const r of store.records.list(producer)) tally(e2eCounts, recordCitations(r.postmortem, r.labels), e2eTexts);

  // ---- gold grouping ----
  const goldStore = new Store(opts.goldDb);
  try {
    goldStore.runs.recoverInterrupted();
    const goldRun = goldStore.runs.start(opts.settings);
    await ingest(goldStore, [gold.articlesFile], { runId: goldRun.id });
    const all = goldStore.articles.list({ includeDuplicates: true });
    const byId = new Map(all.map((a) => [a.id, a]));

    // The grouping stage alone, over the articles that belong to a gold cluster, in the pipeline's order.
    await timed('groupingStage', async () => {
      const relevant = new Set(gold.articles.filter((a) => goldClusterOf(a) !== null).map((a) => a.id));
      const grouper = new Grouper(all, (id) => relevant.has(id), new Map());
      const order = all.filter((a) => relevant.has(a.id)).map((a) => a.id);
      const ask = askBackend(
        backend,
        (id) => byId.get(id),
        (subject) => callContext(goldStore, goldRun.id, subject),
      );
      const pass = new AskAhead(grouper, order, ask, { concurrency: opts.settings.concurrency, ahead: TUNING.askAhead });
      for (const id of order) {
        if (opts.signal?.aborted) throw new EvalInterrupted();
        await pass.assign(id);
      }
      for (const id of relevant) {
        const p = articles.get(id);
        if (p) p.stageIncidentId = grouper.incidentOf.get(id) ?? null;
      }
    });

    // Gold incidents become the store's incidents; an existing store must hold the same grouping.
    const current = goldStore.incidents.membership();
    goldStore.tx(() => {
      for (const inc of gold.incidents) {
        for (const id of inc.articleIds) {
          if (!byId.has(id)) continue;
          const was = current.get(id);
          if (was === inc.id) continue;
          if (was)
            throw new Error(
              `${opts.goldDb}: article ${id} is stored in incident ${was}, but the gold puts it in ${inc.id}; the gold incidents changed since this store was made — delete it and run again`,
            );
          goldStore.incidents.addArticle(inc.id, id, null, goldRun.id);
        }
      }
    });
    const ctx = { store: goldStore, backend, runId: goldRun.id };
    const stageOpts = { concurrency: opts.settings.concurrency, onEvent: opts.onEvent, signal: opts.signal };
    const stages = await timed('goldIncidents', async () => [
      await runStage(extractStage, ctx, stageOpts),
      await runStage(classifyStage, ctx, stageOpts),
    ]);
    const failedJobs = stages.reduce((n, s) => n + s.failed, 0);
    const interrupted = !!opts.signal?.aborted;
    goldStore.runs.finish(goldRun.id, interrupted ? 'interrupted' : failedJobs ? 'failed' : 'done', { stages, failedJobs });
    if (interrupted) throw new EvalInterrupted();

    const incidents = new Map<string, IncidentPrediction>();
    const perIncident = new Map<string, AlignmentCounts>();
    const texts = new Map(all.map((a) => [a.id, a.text]));
    for (const inc of gold.incidents) {
      const pm = goldStore.records.postmortem(inc.id, producer)?.postmortem ?? null;
      const labels = goldStore.records.labels(inc.id, producer);
      incidents.set(inc.id, { id: inc.id, articleIds: inc.articleIds, postmortem: pm, labels });
      const counts = emptyCounts();
      tally(counts, recordCitations(pm, labels), texts);
      perIncident.set(inc.id, counts);
    }
    return {
      backend: backend.name,
      model: backend.model,
      producer,
      e2e,
      goldRunId: goldRun.id,
      ingest: ingested,
      articles,
      incidents,
      citations: { perIncident, endToEnd: e2eCounts },
      seconds,
      learning: opts.learning ?? { learnedFrom: [], crossFit: null },
      prompts: Object.fromEntries(TASKS.map((t) => [t, backend.promptHash(t)])) as Record<Task, string>,
      prefilter: { screen: store.prefilter.decisions('screen'), group: goldStore.prefilter.decisions('group', goldRun.id) },
    };
  } finally {
    goldStore.close();
  }
}
