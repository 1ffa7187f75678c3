import { JobsConfig } from '../../schemas/index.ts';
import { ArticleStore } from './articles.ts';
import { BatchStore } from './batches.ts';
import { Connection } from './connection.ts';
import { FetchStore } from './fetches.ts';
import { IncidentStore } from './incidents.ts';
import { JobStore } from './jobs.ts';
import { ModelCallStore } from './model-calls.ts';
import { PrefilterStore } from './prefilter.ts';
import { RecordStore } from './records.ts';
import { ReviewStore } from './review.ts';
import { RunStore } from './runs.ts';

export { producerOf } from './records.ts';
export { LeaseLost } from './jobs.ts';
export type { Job } from './jobs.ts';
export type { CollectCounts, FetchOutcome, NewFetch } from './fetches.ts';
export type { QuoteCheckTotals, UsageTotals } from './model-calls.ts';
export type { BatchProgress } from './batches.ts';

/**
 * The database, one module per concern over one connection; pipeline/store is the only code that speaks
 * SQL. Every multi-row write runs in one transaction, so a process killed at any point leaves either the
 * whole write or none of it. A new concern is a module here, its tables a new numbered migration.
 */
export class Store {
  readonly #c: Connection;
  readonly jobs: JobStore;
  readonly runs: RunStore;
  readonly incidents: IncidentStore;
  readonly articles: ArticleStore;
  readonly records: RecordStore;
  readonly modelCalls: ModelCallStore;
  readonly review: ReviewStore;
  readonly fetches: FetchStore;
  readonly batches: BatchStore;
  readonly prefilter: PrefilterStore;

  /**
   * `jobs`: how runs sharing this database lease their work (the config's `jobs` section; defaults for
   * what is not given); `clock`, the time leases are measured on (milliseconds), for tests to move.
   */
  constructor(
    readonly path: string,
    opts: { jobs?: Partial<JobsConfig>; clock?: () => number } = {},
  ) {
    const jobs = JobsConfig.parse(opts.jobs ?? {});
    const c = (this.#c = new Connection(path, jobs));
    this.jobs = new JobStore(c, { ...jobs, clock: opts.clock ?? Date.now });
    this.runs = new RunStore(c, this.jobs);
    this.incidents = new IncidentStore(c, this.jobs);
    this.articles = new ArticleStore(c, this.incidents);
    this.records = new RecordStore(c, this.incidents);
    this.modelCalls = new ModelCallStore(c);
    this.review = new ReviewStore(c);
    this.fetches = new FetchStore(c, this.articles);
    this.batches = new BatchStore(c);
    this.prefilter = new PrefilterStore(c);
  }

  close(): void {
    this.jobs.stopHeartbeats();
    this.#c.close();
  }

  /** Runs `fn` in one transaction: writes through any module inside it land together or not at all. */
  tx<T>(fn: () => T): T {
    return this.#c.tx(fn);
  }

  schemaVersion(): number {
    return this.#c.schemaVersion();
  }

  appliedMigrations(): number[] {
    return this.#c.appliedMigrations();
  }

  /**
   * Row counts for `status` and the run summary. With `producer`, records (postmortems, facts, labels,
   * citations) are that producer's only.
   */
  counts(producer?: string) {
    const a = this.articles.counts(),
      r = this.records.counts(producer);
    return {
      articles: a.articles,
      duplicates: a.duplicates,
      screened: r.screened,
      failures: r.failures,
      incidents: this.incidents.count(),
      postmortems: r.postmortems,
      facts: r.facts,
      labels: r.labels,
      citations: r.citations,
      problems: a.problems,
    };
  }
}
