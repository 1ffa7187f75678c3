import { z } from 'zod';

/** A batch's state at the provider (OpenAI's statuses), or `uploaded`: its input file is up, the batch not yet known to exist. */
export const BatchStatus = z.enum([
  'uploaded',
  'validating',
  'in_progress',
  'finalizing',
  'completed',
  'expired',
  'failed',
  'cancelling',
  'cancelled',
]);
export type BatchStatus = z.infer<typeof BatchStatus>;

/** Statuses after which a batch changes no more: its output and error files can be read. */
export const FINISHED_BATCH: readonly BatchStatus[] = ['completed', 'expired', 'failed', 'cancelled'];

/** One batch of model requests sent through the provider's Batch API, as the store keeps it. */
export const BatchRecord = z.object({
  /** The store's own id: the provider's id is only known once the batch is created. */
  id: z.number().int(),
  providerId: z.string().nullable(),
  inputFileId: z.string(),
  stage: z.string(),
  model: z.string(),
  runId: z.string().nullable(),
  status: BatchStatus,
  requests: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  outputFileId: z.string().nullable(),
  errorFileId: z.string().nullable(),
  /** Why the provider failed the whole batch. */
  error: z.string().nullable(),
  /** Its output and error files have been read into the store. */
  collected: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type BatchRecord = z.infer<typeof BatchRecord>;

/**
 * One request of a batch: `submitted`; then `answered` (HTTP 200), `error` (another status, or the
 * provider's error such as batch_expired) or `lost` (the batch ended without a line for it); then
 * `delivered` once the waiting call has taken it, so a later run asks afresh rather than reusing it.
 */
export const BatchItemState = z.enum(['submitted', 'answered', 'error', 'lost', 'delivered']);
export type BatchItemState = z.infer<typeof BatchItemState>;

export const BatchItem = z.object({
  batch: z.number().int(),
  /** The call's cache key: the same request always has the same id. */
  customId: z.string(),
  state: BatchItemState,
  statusCode: z.number().int().nullable(),
  /** The response body (a chat completion, or an error object) as the output or error file held it. */
  body: z.string().nullable(),
});
export type BatchItem = z.infer<typeof BatchItem>;

/** A finished batch's line for one request, as the store takes it. */
export type BatchResult = Pick<BatchItem, 'customId' | 'statusCode' | 'body'> & { state: 'answered' | 'error' };
