import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { BackendUnavailable } from '../backend.ts';
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

/** Network errors that say no server is there at all (a timeout is not one: a slow answer is one request's). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function causeCode(e: unknown): string | null {
  for (let c: unknown = e, depth = 0; c && typeof c === 'object' && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return code;
    // fetch will not connect to some ports at all (6000, 9, …): no retry or other request gets through.
    if ((c as { message?: unknown }).message === 'bad port') return 'a port fetch refuses to use';
  }
  return null;
}

/**
 * The error as a BackendUnavailable when no other request would fare better (retries already spent):
 * the server is unreachable, refuses the key (401, 403), or has no such model or endpoint (404).
 */
export function unavailable(e: unknown, where: { baseURL: string | null; model: string }): BackendUnavailable | null {
  const server = where.baseURL ?? 'api.openai.com';
  if (e instanceof APIConnectionError && !(e instanceof APIConnectionTimeoutError)) {
    const code = causeCode(e);
    if (code)
      return new BackendUnavailable(
        `cannot reach ${server} (${code})`,
        'check OPENAI_BASE_URL (or openai.baseURL in the config) and that the server is running',
      );
  }
  if (!(e instanceof APIError)) return null;
  if (e.status === 401 || e.status === 403)
    return new BackendUnavailable(`${server} refused the request: ${e.message}`, 'check OPENAI_API_KEY');
  if (e.status === 404)
    return new BackendUnavailable(
      `${server} has no model "${where.model}" or no chat completions there: ${e.message}`,
      'name a model the server has with --model (or "model" in the config), and check that OPENAI_BASE_URL ends in /v1',
    );
  return null;
}
