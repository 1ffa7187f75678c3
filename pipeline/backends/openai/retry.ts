import { APIConnectionError, APIError } from 'openai';

/** A 2xx response whose body is not a chat completion (cut off, HTML from a proxy): worth another try. */
export class GarbledResponseError extends Error {
  constructor(detail: string) {
    super(`the server's response was not a chat completion: ${detail}`);
    this.name = 'GarbledResponseError';
  }
}

export interface RetryPolicy {
  maxRetries: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  onRetry?: (info: { attempt: number; waitMs: number; error: unknown }) => void;
}

const BASE_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** A server asking for a very long pause gets a failed job (retried next run) rather than a hung run. */
const MAX_RETRY_AFTER_MS = 120_000;

/** Rate limits, overload, server errors, timeouts and dropped connections pass; a 400 or 401 will not. */
export function isRetryable(e: unknown): boolean {
  if (e instanceof APIConnectionError || e instanceof GarbledResponseError) return true;
  if (e instanceof APIError) return e.status === 408 || e.status === 409 || e.status === 429 || (e.status ?? 0) >= 500;
  return false;
}

/** What `retry-after-ms` or `retry-after` (seconds or an HTTP date) asks for, in milliseconds. */
export function retryAfterMs(headers: Headers | undefined, now: number): number | null {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get('retry-after');
  if (!raw) return null;
  const secs = Number(raw);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Exponential backoff with "equal jitter": half the delay is fixed, half random, so clients spread out. */
export function backoffMs(attempt: number, random: () => number): number {
  const d = Math.min(MAX_BACKOFF_MS, BASE_MS * 2 ** attempt);
  return d / 2 + random() * (d / 2);
}

export async function withRetries<T>(fn: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= policy.maxRetries || !isRetryable(e)) throw e;
      const asked = e instanceof APIError ? retryAfterMs(e.headers, policy.now()) : null;
      const waitMs = asked !== null ? Math.min(asked, MAX_RETRY_AFTER_MS) : backoffMs(attempt, policy.random);
      policy.onRetry?.({ attempt, waitMs, error: e });
      await policy.sleep(waitMs);
    }
  }
}
