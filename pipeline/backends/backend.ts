import type { Article, CachedCall, Incident, Postmortem, QuoteCheck, Screening, TaxonomyLabel, Usage } from '../../schemas/index.ts';

export type Task = 'screen' | 'group' | 'extract' | 'classify';

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

/** What a backend may touch while answering: the store's doors for model calls, and whom the call is for. */
export interface CallContext {
  cache: ResponseCache;
  usage: UsageRecorder;
  quoteChecks: QuoteCheckRecorder;
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
