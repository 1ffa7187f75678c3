import type {
  Article,
  BatchItem,
  BatchRecord,
  BatchResult,
  CachedCall,
  Incident,
  Postmortem,
  PrefilterDecision,
  QuoteCheck,
  Screening,
  TaxonomyLabel,
  Usage,
} from '../../schemas/index.ts';

export const TASKS = ['screen', 'group', 'extract', 'classify'] as const;
export type Task = (typeof TASKS)[number];

/**
 * A failure no other job of the run would escape: the server cannot be reached, refuses the key, or has
 * no such model. The run stops taking jobs instead of failing each in turn (a refused connection costs
 * minutes of retries a job), and says what to check; the jobs left stay pending for the next run.
 */
export class BackendUnavailable extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'BackendUnavailable';
  }
}

/** Earlier valid answers, by the hash of the request; only what validated is put. */
export interface ResponseCache {
  get(hash: string): CachedCall | undefined;
  put(call: CachedCall & { request: string }): void;
}

/** Tokens and cost of every model call, cached or sent. */
export interface UsageRecorder {
  recordUsage(usage: Usage): void;
}

/** How many of a grounded answer's quotes could not be placed in the articles, and what was dropped. */
export interface QuoteCheckRecorder {
  recordQuoteCheck(check: QuoteCheck): void;
}

/** Decisions the offline pre-filter could settle before a model call, settled or not. */
export interface DecisionRecorder {
  recordDecision(d: PrefilterDecision): void;
}

/** A batch as the provider last described it. */
export type BatchUpdate = Pick<BatchRecord, 'status' | 'completed' | 'failed' | 'outputFileId' | 'errorFileId' | 'error'> & {
  providerId: string | null;
};

/**
 * What batch mode keeps between processes: each batch (by its input file, before the provider names it)
 * and each request in it, by the request's cache key, until its answer is delivered.
 */
export interface BatchLedger {
  recordUpload(u: { inputFileId: string; stage: string; model: string; runId: string | null; customIds: readonly string[] }): BatchRecord;
  recordStatus(id: number, s: BatchUpdate): BatchRecord;
  recordResults(id: number, results: readonly BatchResult[]): void;
  lookup(customIds: readonly string[]): Map<string, BatchItem>;
  batch(id: number): BatchRecord;
  items(batch: number): BatchItem[];
  deliver(batch: number, customId: string): void;
}

/** What a backend may touch while answering: the store's doors for model calls, and whom the call is for. */
export interface CallContext {
  cache: ResponseCache;
  usage: UsageRecorder;
  quoteChecks: QuoteCheckRecorder;
  decisions: DecisionRecorder;
  /** Needed only in batch mode. */
  batches?: BatchLedger;
  runId: string;
  /** Which incident or article the call is for; usage is accounted to it. */
  subject: string;
}

/** A label before provenance is stamped on it by the stage. */
export type LabelDraft = Omit<TaxonomyLabel, 'provenance'>;

export interface SameIncidentVerdict {
  same: boolean;
  confidence: number;
}

/**
 * What every backend provides. Stages own the jobs, the store and the provenance; a backend only
 * answers questions about articles, so the offline and the model backends are interchangeable.
 */
export interface Backend {
  readonly name: string;
  readonly model: string;
  /**
   * Jobs a stage should keep going, when more than the run's concurrency: a model backend keeps its
   * requests in flight, and in batch mode answers a whole round of them at once.
   */
  readonly jobWindow?: number;
  /** Content hash of the prompt (or, offline, the method and lexicons) a task uses. */
  promptHash(task: Task): string;
  /** Hash of the response schema a task uses, when there is one. */
  schemaHash(task: Task): string | null;
  screen(article: Article, ctx: CallContext): Promise<Screening>;
  /** Decides whether an article joins an incident that the grouping index proposed. */
  sameIncident(article: Article, incidentArticles: Article[], similarity: number, ctx: CallContext): Promise<SameIncidentVerdict>;
  extract(incident: Incident, articles: Article[], ctx: CallContext): Promise<Postmortem>;
  classify(incident: Incident, articles: Article[], postmortem: Postmortem | null, ctx: CallContext): Promise<LabelDraft[]>;
  close?(): Promise<void>;
}
