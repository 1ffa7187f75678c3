import { NotFoundError, toFile } from 'openai';
import type OpenAI from 'openai';
import type { Batch } from 'openai/resources/batches';
import { BackendUnavailable, type BatchUpdate } from '../backend.ts';
import { type RetryPolicy, withRetries } from '../../http/retry.ts';
import { BATCH_ENDPOINT } from './batch-lines.ts';
import { retryVerdict } from './retry.ts';

/** A batch as the store records it. */
export function updateOf(b: Batch): BatchUpdate {
  const errors = b.errors?.data?.map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.code ?? 'error'}: ${e.message ?? ''}`.trim());
  return {
    providerId: b.id,
    status: b.status,
    completed: b.request_counts?.completed ?? 0,
    failed: b.request_counts?.failed ?? 0,
    outputFileId: b.output_file_id ?? null,
    errorFileId: b.error_file_id ?? null,
    error: errors?.length ? errors.join('; ') : null,
  };
}

/**
 * openai-node's files and batches endpoints, each call retried like a chat request (429, 5xx, dropped
 * connections): a batch that took a day to answer should not be lost to one failed download.
 */
export class BatchApi {
  constructor(
    private readonly client: () => OpenAI,
    private readonly retry: RetryPolicy,
  ) {}

  private call<T>(fn: () => Promise<T>): Promise<T> {
    return withRetries(fn, (e) => retryVerdict(e, this.retry.now?.() ?? Date.now()), this.retry);
  }

  /** Uploads a JSONL file of requests; its file id. */
  async upload(name: string, jsonl: string): Promise<string> {
    try {
      const file = await this.call(async () =>
        this.client().files.create({ file: await toFile(Buffer.from(jsonl, 'utf8'), name), purpose: 'batch' }),
      );
      return file.id;
    } catch (e) {
      // vLLM, llama.cpp and Ollama answer chat completions but have no Files or Batch API.
      // No later request can fare better, so the run stops rather than failing every job one by one.
      if (e instanceof NotFoundError)
        throw new BackendUnavailable(
          `${this.client().baseURL}: the server has no Files API (${e.message}); --batch needs OpenAI's Files and Batch APIs`,
          'run without --batch',
        );
      throw e;
    }
  }

  create(inputFileId: string, metadata: Record<string, string>): Promise<Batch> {
    return this.call(() =>
      this.client().batches.create({ input_file_id: inputFileId, endpoint: BATCH_ENDPOINT, completion_window: '24h', metadata }),
    );
  }

  retrieve(id: string): Promise<Batch> {
    return this.call(() => this.client().batches.retrieve(id));
  }

  /**
   * The batch made from an input file, if one was: a run killed after creating a batch but before
   * recording its id finds it here. Batches are listed newest first; the search stops at ones created
   * before the file was.
   */
  async fromInputFile(inputFileId: string, uploadedAt: number): Promise<Batch | null> {
    return this.call(async () => {
      for await (const b of this.client().batches.list({ limit: 100 })) {
        if (b.input_file_id === inputFileId) return b;
        if (b.created_at * 1000 < uploadedAt - 60_000) break;
      }
      return null;
    });
  }

  /** A file's text (a finished batch's output or error file). */
  content(fileId: string): Promise<string> {
    return this.call(async () => (await this.client().files.content(fileId)).text());
  }
}
