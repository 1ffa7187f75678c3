import { describe, expect, it } from 'vitest';
import { backoffMs, isRetryableStatus, retryAfterMs, withRetries, type RetryPolicy } from '../pipeline/http/retry.ts';
import { OPENAI_BACKOFF } from '../pipeline/backends/openai/retry.ts';

describe('retry and backoff, shared by the collector and the model client', () => {
  it('reads retry-after-ms, retry-after seconds and retry-after dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }), now)).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': ' 3 ' }), now)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:10 GMT' }), now)).toBe(10_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeNull();
    expect(retryAfterMs(new Headers({}), now)).toBeNull();
    expect(retryAfterMs(undefined, now)).toBeNull();
  });

  it('doubles the backoff per attempt, within a jitter band when given one, up to a cap', () => {
    expect([0, 1, 2, 3].map((a) => backoffMs(a, { ...OPENAI_BACKOFF, random: () => 0 }))).toEqual([250, 500, 1000, 2000]);
    expect([0, 1, 2, 3].map((a) => backoffMs(a, { ...OPENAI_BACKOFF, random: () => 1 }))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffMs(20, { ...OPENAI_BACKOFF, random: () => 1 })).toBe(30_000);
    expect([0, 1, 2].map((a) => backoffMs(a, { baseMs: 1000, maxMs: Number.POSITIVE_INFINITY }))).toEqual([1000, 2000, 4000]);
  });

  it('retries timeouts, rate limits and server errors, not other client errors', () => {
    expect([408, 409, 425, 429, 500, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 410].some(isRetryableStatus)).toBe(false);
  });

  describe('withRetries', () => {
    const policy = (over: Partial<RetryPolicy> = {}) => {
      const waits: number[] = [],
        seen: number[] = [];
      const p: RetryPolicy = {
        retries: 2,
        baseMs: 100,
        maxMs: 10_000,
        maxRetryAfterMs: 5000,
        sleep: async (ms) => {
          waits.push(ms);
        },
        onRetry: (i) => seen.push(i.attempt),
        ...over,
      };
      return { p, waits, seen };
    };
    const failing = (n: number, error: unknown) => {
      let calls = 0;
      return {
        fn: async () => {
          if (calls++ < n) throw error;
          return 'ok';
        },
        calls: () => calls,
      };
    };

    it("waits the server's Retry-After, else backs off, and succeeds", async () => {
      const { p, waits, seen } = policy();
      const f = failing(2, new Error('busy'));
      const verdicts = [{ retryAfterMs: 700 }, { retryAfterMs: null }];
      await expect(withRetries(f.fn, () => verdicts.shift()!, p)).resolves.toBe('ok');
      expect(waits).toEqual([700, 200]);
      expect(seen).toEqual([0, 1]);
    });

    it('gives up when retries are spent, when the error is not retryable, or when the server asks for too long a wait', async () => {
      const spent = policy(),
        f = failing(5, new Error('down'));
      await expect(withRetries(f.fn, () => ({ retryAfterMs: null }), spent.p)).rejects.toThrow('down');
      expect(f.calls()).toBe(3);
      const never = policy(),
        g = failing(5, new Error('bad request'));
      await expect(withRetries(g.fn, () => null, never.p)).rejects.toThrow('bad request');
      expect(never.waits).toEqual([]);
      const patient = policy(),
        h = failing(5, new Error('come back in an hour'));
      await expect(withRetries(h.fn, () => ({ retryAfterMs: 3_600_000 }), patient.p)).rejects.toThrow('come back in an hour');
      expect(patient.waits).toEqual([]);
      expect(h.calls()).toBe(1);
    });
  });
});
