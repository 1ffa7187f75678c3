import { z } from 'zod';

/** US dollars per million tokens; `cachedInput` is the price of prompt tokens the provider served from its prompt cache. */
export const ModelPrice = z.object({
  input: z.number().nonnegative(),
  cachedInput: z.number().nonnegative(),
  output: z.number().nonnegative(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

/** List prices when this was written; they change, so a config file can override any of them. */
export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
};

/**
 * Labelled incidents shown as examples in extract and classify prompts: the `k` most similar to the
 * incident at hand, from gold directories in the benchmark format, within `maxTokens` per call.
 * Relative `dirs` are read from the config file's folder.
 */
export const ExamplesConfig = z.object({
  dirs: z.array(z.string().min(1)).min(1),
  k: z.number().int().positive().default(3),
  maxTokens: z.number().int().positive().default(2000),
});
export type ExamplesConfig = z.infer<typeof ExamplesConfig>;

/**
 * `failscope run --batch`: requests go through the provider's Batch API (files of JSONL requests,
 * answered within 24 hours at a discount) instead of one HTTP call each.
 */
export const BatchConfig = z.object({
  /** Batch answers cost this share of the synchronous price (OpenAI: half). */
  priceFactor: z.number().min(0).max(1).default(0.5),
  /** A round with fewer new requests than this (re-asks, retries, grouping's one-at-a-time decisions) is sent synchronously. */
  syncBelow: z.number().int().min(0).default(10),
  /** Requests per batch file; OpenAI takes at most 50,000 and 200 MB. */
  maxRequests: z.number().int().positive().max(50_000).default(50_000),
  maxBytes: z.number().int().positive().max(200_000_000).default(190_000_000),
  /**
   * Jobs a stage keeps in flight in batch mode: each waits, with its request, for its batch, so this is how
   * many requests one round can carry (and how much memory they hold).
   */
  jobWindow: z.number().int().positive().default(50_000),
  /** First wait between status checks, growing by half each time up to pollMaxMs. */
  pollMs: z.number().int().positive().default(15_000),
  pollMaxMs: z.number().int().positive().default(600_000),
});
export type BatchConfig = z.infer<typeof BatchConfig>;

/**
 * Decisions the offline backend settles before a model is asked. Screening: the offline model's
 * P(failure report) below `reject` is a "no", at or above `accept` a "yes", without a call (null: never).
 * Same-incident: the offline decision (similarity against its date-aware threshold) stands without a call
 * when the similarity is at least `join` above the threshold, or at least `apart` below it. The defaults
 * lose no recall on the project's corpus (data/train) nor on FAIL's dev split (README, "Pre-filter").
 */
export const PrefilterConfig = z.object({
  screen: z
    .object({
      reject: z.number().min(0).max(1).nullable().default(0.15),
      accept: z.number().min(0).max(1).nullable().default(0.95),
    })
    .refine((t) => t.reject === null || t.accept === null || t.reject < t.accept, 'reject must be below accept')
    .prefault({}),
  sameIncident: z
    .object({
      join: z.number().min(0).nullable().default(0.2),
      apart: z.number().min(0).nullable().default(0.1),
    })
    .prefault({}),
});
export type PrefilterConfig = z.infer<typeof PrefilterConfig>;

/** The `openai` backend: OpenAI itself or any OpenAI-compatible server (Ollama, vLLM, llama.cpp). */
export const OpenAIConfig = z.object({
  /** Server URL ending in /v1; OPENAI_BASE_URL overrides it, and null means api.openai.com. */
  baseURL: z.string().nullable().default(null),
  model: z.string().default('gpt-4o-mini'),
  /** Requests and tokens (prompt + completion) per minute; the backend paces itself to stay under both. */
  rpm: z.number().int().positive().default(500),
  tpm: z.number().int().positive().default(200_000),
  /**
   * Requests in flight at once; a stage keeps at least this many jobs going. The limiter keeps to rpm and
   * tpm whatever this is, so it only has to cover latency: 300 ms plus each request's own work took 16 to
   * fill 600 RPM (evals/bench/openai.ts --only=rate), and answers seconds long need more.
   */
  concurrency: z.number().int().positive().default(16),
  /** Transport retries on 429, 5xx, timeouts and garbled bodies, with exponential backoff and jitter. */
  maxRetries: z.number().int().min(0).default(5),
  /** Re-asks after an invalid, refused or truncated answer, carrying the error back to the model. */
  maxReasks: z.number().int().min(0).default(2),
  timeoutMs: z.number().int().positive().default(120_000),
  /** Most prompt tokens one call may carry; longer inputs are chunked and map-reduced. */
  tokenBudget: z.number().int().min(1000).default(12_000),
  maxOutputTokens: z.number().int().positive().default(4096),
  temperature: z.number().min(0).max(2).default(0),
  /** json_schema response formats; false sends json_object and validates locally (older local servers). */
  structuredOutputs: z.boolean().default(true),
  /** A directory of prompt templates to use instead of the bundled prompts/ (same file names). */
  promptsDir: z.string().nullable().default(null),
  /** Same-incident candidates at or above `accept` join without a call, below `reject` stay apart without one. */
  sameIncident: z
    .object({
      accept: z.number().min(0).max(1).default(0.6),
      reject: z.number().min(0).max(1).default(0.15),
    })
    .prefault({}),
  batch: BatchConfig.prefault({}),
  /** The offline pre-filter; null asks the model about everything. */
  prefilter: PrefilterConfig.nullable().prefault({}),
  /** The example pool; null shows no examples. */
  examples: ExamplesConfig.nullable().default(null),
  /**
   * Prices per model name, added to (and overriding) DEFAULT_PRICES. The longest matching prefix wins;
   * a model not listed is costed at 0 (e.g. a local one).
   */
  prices: z.record(z.string(), ModelPrice).default({}),
});
export type OpenAIConfig = z.infer<typeof OpenAIConfig>;

/** The `offline` backend. */
export const OfflineConfig = z.object({
  /** A model written by `failscope learn` (relative to the working directory); null: the shipped one. */
  modelFile: z.string().nullable().default(null),
  /**
   * Threads doing screening, extraction and classification; null: none (the main thread alone). The records are
   * the same for any number. On 2 cores they pay only on large corpora: Ko's 974 articles took 31 s alone and 35 s
   * with 2 threads, a synthetic 20k corpus 84 articles/s alone and 110 with 2.
   */
  workers: z.number().int().positive().nullable().default(null),
  /**
   * Each worker thread's heap, in MB: bounded, a thread collects its garbage instead of growing with the
   * corpus. A job that needs more (an article of megabytes) is done again in the main thread.
   */
  workerHeapMb: z.number().int().positive().default(256),
  /**
   * Jobs the main thread does before threads start. A thread takes about a second and 100 MB to load, so a run
   * of a few hundred articles (npm start: 92 jobs, 2.3 s alone, 3.8 s with threads) is faster without them.
   */
  workersAfterJobs: z.number().int().nonnegative().default(500),
});
export type OfflineConfig = z.infer<typeof OfflineConfig>;

/**
 * Limits on one input: anything larger is refused, named by file and line, and the rest is read. The
 * defaults keep a whole offline run on the largest allowed input under 300 MB (README, "Bad input");
 * the longest benchmark article is 164 KB.
 */
export const IngestConfig = z.object({
  /** Largest article: a JSON Lines line, a .txt or .md file, one .json record's text, the text read from a page. */
  maxArticleBytes: z
    .number()
    .int()
    .positive()
    // A run's peak memory grows with its longest article: at 384 KB it stays under 300 MB (`npm run soak`);
    // the longest of Ko's 974 news articles is 164 KB.
    .default(384 * 1024),
  /** Largest file read whole to find its articles (.json, .html); larger collections belong in JSON Lines, which is streamed. */
  maxFileBytes: z
    .number()
    .int()
    .positive()
    .default(3 * 1024 * 1024),
  /** A saved web page with fewer words of article text is no article (a paywall, a cookie wall, an index page): collect's floor too. */
  minPageWords: z.number().int().nonnegative().default(100),
});
export type IngestConfig = z.infer<typeof IngestConfig>;

/**
 * Several runs sharing one database. A run holds each job it works on under a lease that lasts `leaseMs`
 * past its last heartbeat, renewed every `heartbeatMs`: a run whose process dies stops renewing, and its
 * jobs go to whoever comes next (at once, on the same machine, where the process can be seen gone). A run
 * that finds jobs leased to a live run looks again every `waitMs`; a write waits up to `busyTimeoutMs`
 * for another process's to finish.
 */
export const JobsConfig = z.object({
  leaseMs: z.number().int().positive().default(60_000),
  heartbeatMs: z.number().int().positive().default(10_000),
  waitMs: z.number().int().positive().default(500),
  busyTimeoutMs: z.number().int().positive().default(30_000),
});
export type JobsConfig = z.infer<typeof JobsConfig>;

/** `failscope.config.json`: everything a flag can set, plus what only a file should hold (prices, limits). */
export const Config = z.object({
  /** null: the openai backend when an endpoint is configured (OPENAI_BASE_URL, openai.baseURL), else offline. */
  backend: z.enum(['offline', 'openai']).nullable().default(null),
  model: z.string().nullable().default(null),
  concurrency: z.number().int().positive().default(4),
  db: z.string().default('./failscope.db'),
  offline: OfflineConfig.prefault({}),

  ingest: IngestConfig.prefault({}),
  openai: OpenAIConfig.prefault({}),
  jobs: JobsConfig.prefault({}),
});
export type Config = z.infer<typeof Config>;
