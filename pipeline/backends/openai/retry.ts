import { APIConnectionError, APIError } from 'openai';
import { type Backoff, type RetryVerdict, isRetryableStatus, retryAfterMs } from '../../http/retry.ts';

/** A 2xx response whose body is not a chat completion (cut off, HTML from a proxy): worth another try. */
export class GarbledResponseError extends Error {
  constructor(detail: string) {
    super(`the server's response was not a chat completion: ${detail}`);
    this.name = 'GarbledResponseError';
  }
}

/** Backoff from half a second; a server asking for over two minutes gets a failed job, which the next run retries. */
export const OPENAI_BACKOFF: Backoff & { maxRetryAfterMs: number } = { baseMs: 500, maxMs: 30_000, maxRetryAfterMs: 120_000 };

/** Rate limits, overload, server errors, timeouts, dropped connections and garbled bodies are tried again; a 400 or 401 is not. */
export function retryVerdict(e: unknown, now: number): RetryVerdict {
  if (e instanceof APIConnectionError || e instanceof GarbledResponseError) return { retryAfterMs: null };
  if (e instanceof APIError && isRetryableStatus(e.status ?? 0)) return { retryAfterMs: retryAfterMs(e.headers, now) };
  return null;
}
