/**
 * Retries with exponential backoff, shared by both HTTP clients: the web collector and the model client.
 * The server's Retry-After wins over backoff, and one asking for longer than the caller will wait fails
 * the attempt now (the job or URL is retried on a later run) rather than hanging the run.
 */

export interface Backoff {
  baseMs: number;
  maxMs: number;
  /**
   * Jitter source: with one, "equal jitter" (half the delay fixed, half random, so many clients spread
   * out); without, the full delay every time.
   */
  random?: () => number;
}

export interface RetryPolicy extends Backoff {
  /** Further attempts after the first. */
  retries: number;
  maxRetryAfterMs: number;
  sleep: (ms: number) => Promise<void>;
  now?: () => number;
  /** Called before each wait, e.g. to hold back every request to the same host. */
  onRetry?: (info: { attempt: number; waitMs: number; error: unknown }) => void;
}

/** What a failed attempt says about another: null, none; else after `retryAfterMs` (null: backoff). */
export type RetryVerdict = { retryAfterMs: number | null } | null;

/** Timeouts, conflicts, too early, rate limits and server errors pass; other 4xx will not. */
export const isRetryableStatus = (status: number): boolean => [408, 409, 425, 429].includes(status) || status >= 500;

export function backoffMs(attempt: number, b: Backoff): number {
  const d = Math.min(b.maxMs, b.baseMs * 2 ** attempt);
  return b.random ? d / 2 + b.random() * (d / 2) : d;
}

/** What `retry-after-ms` (OpenAI's) or `retry-after` (seconds or an HTTP date) asks for, in milliseconds. */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | null {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get('retry-after')?.trim();
  if (!raw) return null;
  const secs = Number(raw);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Runs `attempt` until it succeeds, `verdict` rules out another try, or the policy's retries are spent. */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  verdict: (error: unknown) => RetryVerdict,
  p: RetryPolicy,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const v = verdict(error);
      if (!v || n >= p.retries || (v.retryAfterMs ?? 0) > p.maxRetryAfterMs) throw error;
      const waitMs = v.retryAfterMs ?? backoffMs(n, p);
      p.onRetry?.({ attempt: n, waitMs, error });
      await p.sleep(waitMs);
    }
  }
}
