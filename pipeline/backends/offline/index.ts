import { basename } from 'node:path';
import { type Article, type Incident, OfflineConfig, type Postmortem, type Screening } from '../../../schemas/index.ts';
import type { Backend, LabelDraft, SameIncidentVerdict, Task } from '../backend.ts';
import { hashOf } from '../../text/hash.ts';
import { daysBetween } from '../../text/dates.ts';
import { doWork, type Answers, type OfflineTask } from './work.ts';
import { DEPTH, ThreadLost, WorkerPool } from './pool.ts';
import { type LoadedModel, loadModel } from './learned.ts';
import { CODE_VERSION, TUNING } from './tuning.ts';

/**
 * Raised when a stage's records change while the model does not (how facts are merged, what a rationale
 * quotes): part of the stage's job hash, so a re-run writes them anew without the model being learned again.
 */
const REVISION = { extract: 15, classify: 6 };

const G = TUNING.settings.grouping;

/**
 * Same-incident threshold by days between the article and the nearest article of the incident. It
 * rises with the logarithm of the gap: follow-ups days apart may share few words, while a story a year
 * later must be much closer to count as the same incident (a second breach at one company is a new one).
 * News coverage of one failure comes within months; past `recurrenceDays` a similar story is a recurrence.
 */
export function sameIncidentThreshold(days: number | null): number {
  if (days === null) return G.noDate;
  if (days > G.recurrenceDays) return G.cap;
  return Math.min(G.cap, G.base + G.perLogDay * Math.log10(1 + days));
}

export interface OfflineOptions {
  /** A model file written by `failscope learn` (default: the shipped model.json). */
  modelFile?: string;
  /** An already loaded model (the eval's cross-fitting hands each fold its own). */
  loaded?: LoadedModel;
  /** Threads doing the CPU work of screening, extraction and classification (default 1: this thread, no others). */
  workers?: number;
  /** Each worker thread's heap bound, in MB (offline.workerHeapMb). */
  workerHeapMb?: number;
  /** Jobs done in the main thread before threads start (offline.workersAfterJobs). */
  workersAfterJobs?: number;
  /** Told what a user should know about the model (one learned with other tuning or code). */
  log?: (line: string) => void;
}

/**
 * Deterministic, network-free backend: cue lexicons (tuning/), learned weights (the model file),
 * TF-IDF and verbatim sentences. What a task's answers depend on — the tuning files, the code version
 * and the model — is in its hash, so changing any of them re-runs exactly the jobs it affects.
 */
export class OfflineBackend implements Backend {
  readonly name = 'offline';
  readonly model: string;
  readonly loaded: LoadedModel;
  private readonly hashes: Record<Task, string>;
  private readonly pool: WorkerPool | null;
  /** Enough jobs in flight to keep every thread's queue full. */
  readonly jobWindow: number;

  constructor(opts: OfflineOptions = {}) {
    this.loaded = opts.loaded ?? loadModel(opts.modelFile);
    const m = this.loaded.model,
      a = m.adaptation;
    // Its weights were fitted to features that other cues or code compute differently: it runs, but its measured figures need not hold.
    if (m.tuning && m.tuning !== TUNING.hash)
      opts.log?.(
        `warning: ${this.loaded.file} was learned with other tuning or code than this failscope reads with (${CODE_VERSION}); learn it again (failscope learn) for the figures it reports to hold`,
      );
    const workers = opts.workers ?? 1;
    const defaults = OfflineConfig.parse({});
    this.pool =
      workers > 1
        ? new WorkerPool(workers, m, opts.workerHeapMb ?? defaults.workerHeapMb, opts.workersAfterJobs ?? defaults.workersAfterJobs)
        : null;
    this.jobWindow = this.pool ? workers * DEPTH : 0;
    this.model = `${basename(this.loaded.file, '.json')}@${this.loaded.hash.slice(0, 8)}`;
    this.hashes = {
      screen: hashOf([TUNING.hash, a?.screening ?? m.screening]),
      group: hashOf([TUNING.hash]),
      extract: hashOf([TUNING.hash, REVISION.extract, a?.extraction ?? m.extraction]),
      classify: hashOf([
        TUNING.hash,
        REVISION.classify,
        m.taxonomy,
        m.calibration,
        a && { shared: a.shared, knn: a.knn, taxonomy: a.taxonomy, calibration: a.calibration },
      ]),
    };
  }

  promptHash(task: Task): string {
    return this.hashes[task];
  }

  schemaHash(): null {
    return null;
  }

  /** In a worker thread when there are several and one is ready and free, else in this one. */
  private async work<T extends OfflineTask>(task: T, articles: Article[]): Promise<Answers[T]> {
    if (!this.pool) return doWork(task, articles, this.loaded.model);
    const sent = this.pool.dispatch(task, articles);
    // A job too large for a thread's heap is done here, where the heap is not bounded.
    if (sent) return sent.catch((e) => (e instanceof ThreadLost ? doWork(task, articles, this.loaded.model) : Promise.reject(e)));
    // Jobs done here chain in microtasks: the event loop must turn for a thread's "ready" to be heard.
    await new Promise(setImmediate);
    return doWork(task, articles, this.loaded.model);
  }

  screen(article: Article): Promise<Screening> {
    return this.work('screen', [article]);
  }

  async sameIncident(article: Article, incidentArticles: Article[], similarity: number): Promise<SameIncidentVerdict> {
    const gaps = incidentArticles.map((a) => daysBetween(article.published, a.published)).filter((d): d is number => d !== null);
    const days = gaps.length ? Math.min(...gaps) : null;
    const threshold = sameIncidentThreshold(days);
    return { same: similarity >= threshold, confidence: Math.min(1, Math.abs(similarity - threshold) * 2 + 0.5) };
  }

  extract(_incident: Incident, articles: Article[]): Promise<Postmortem> {
    return this.work('extract', articles);
  }

  classify(_incident: Incident, articles: Article[]): Promise<LabelDraft[]> {
    return this.work('classify', articles);
  }

  /** Jobs done in worker threads rather than this one. */
  threadJobs(): number {
    return this.pool?.sent ?? 0;
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}
