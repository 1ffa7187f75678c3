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

/** The `openai` backend: OpenAI itself or any OpenAI-compatible server (Ollama, vLLM, llama.cpp). */
export const OpenAIConfig = z.object({
  /** Server URL ending in /v1; OPENAI_BASE_URL overrides it, and null means api.openai.com. */
  baseURL: z.string().nullable().default(null),
  model: z.string().default('gpt-4o-mini'),
  /** Requests and tokens (prompt + completion) per minute; the backend paces itself to stay under both. */
  rpm: z.number().int().positive().default(500),
  tpm: z.number().int().positive().default(200_000),
  /** Requests in flight at once. */
  concurrency: z.number().int().positive().default(4),
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
  sameIncident: z.object({
    accept: z.number().min(0).max(1).default(0.6),
    reject: z.number().min(0).max(1).default(0.15),
  }).prefault({}),
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
});
export type OfflineConfig = z.infer<typeof OfflineConfig>;

/**
 * Limits on one input: anything larger is refused, named by file and line, and the rest is read. The
 * defaults keep a whole offline run on the largest allowed input under 300 MB (README, "Bad input");
 * the longest benchmark article is 164 KB.
 */
export const IngestConfig = z.object({
  /** Largest article: a JSON Lines line, a .txt or .md file, one .json record's text, the text read from a page. */
  maxArticleBytes: z.number().int().positive().default(512 * 1024),
  /** Largest file read whole to find its articles (.json, .html); larger collections belong in JSON Lines, which is streamed. */
  maxFileBytes: z.number().int().positive().default(3 * 1024 * 1024),
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
  backend: z.enum(['offline', 'openai']).default('offline'),
  model: z.string().nullable().default(null),
  concurrency: z.number().int().positive().default(4),
  db: z.string().default('./failscope.db'),
  offline: OfflineConfig.prefault({}),

  ingest: IngestConfig.prefault({}),
  openai: OpenAIConfig.prefault({}),
  jobs: JobsConfig.prefault({}),
});
export type Config = z.infer<typeof Config>;
