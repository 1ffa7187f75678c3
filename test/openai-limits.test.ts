import { describe, expect, it } from 'vitest';
import { Limiter } from '../pipeline/backends/openai/limits.ts';
import { costOf, priceFor } from '../pipeline/backends/openai/cost.ts';
import { virtualClock } from './openai-helpers.ts';

/** Limits run on a virtual clock: the assertions are about when requests were let go, never how long a test took. */
describe('openai rate limits', () => {
  it('spaces requests 60/rpm seconds apart (2% wider, as a margin)', async () => {
    const clock = virtualClock();
    const t0 = clock.now();
    const limiter = new Limiter({ concurrency: 10, rpm: 60, tpm: 1e9 }, clock);
    const starts = await Promise.all([1, 2, 3, 4].map(() => limiter.run(10, async () => clock.now() - t0)));
    expect(starts.map((x) => Math.round(x))).toEqual([0, 1020, 2040, 3060]);
  });

  it('keeps slots on their grid when a timer fires late, and never lets 60 s hold more than rpm starts', async () => {
    const clock = virtualClock();
    const late = { ...clock, sleep: async (ms: number) => clock.sleep(ms + 7) }; // every wait overshoots by 7 ms
    const t0 = clock.now();
    const limiter = new Limiter({ concurrency: 50, rpm: 600, tpm: 1e9 }, late);
    const starts = await Promise.all(Array.from({ length: 1200 }, () => limiter.run(1, async () => clock.now() - t0)));
    // lateness does not add up: the 1200th start is within one slot of where the grid puts it
    expect(starts[1199]).toBeLessThan(1199 * 102 + 102);
    for (let i = 0; i < starts.length; i++) {
      const inMinute = starts.filter((s) => s >= starts[i] && s < starts[i] + 60_000).length;
      expect(inMinute).toBeLessThanOrEqual(600);
    }
  });

  it('keeps the tokens started in any minute under tpm, counting what requests really used', async () => {
    const clock = virtualClock();
    const t0 = clock.now();
    const limiter = new Limiter({ concurrency: 10, rpm: 1e6, tpm: 1000 }, clock);
    const starts = await Promise.all([1, 2, 3].map(() => limiter.run(400, async () => clock.now() - t0)));
    // two fit in the first minute (800); the third waits for the first to leave the window
    expect(starts[0]).toBe(0);
    expect(starts[1]).toBeLessThan(1);
    expect(starts[2]).toBeGreaterThanOrEqual(60_000);

    const c2 = virtualClock();
    const t1 = c2.now();
    const l2 = new Limiter({ concurrency: 10, rpm: 1e6, tpm: 1000 }, c2);
    // the estimate was 400 but the request used 100: the room comes back at once
    const s2 = await Promise.all(
      [1, 2, 3].map(() =>
        l2.run(400, async (settle) => {
          settle(100);
          return c2.now() - t1;
        }),
      ),
    );
    expect(Math.max(...s2)).toBeLessThan(1);
  });

  it('lets one request larger than the whole tpm budget through alone', async () => {
    const clock = virtualClock();
    const limiter = new Limiter({ concurrency: 1, rpm: 1e6, tpm: 100 }, clock);
    expect(await limiter.run(5000, async () => 'sent')).toBe('sent');
  });

  it('has at most `concurrency` requests in flight', async () => {
    const limiter = new Limiter({ concurrency: 2, rpm: 1e9, tpm: 1e9 }, virtualClock());
    let inFlight = 0,
      most = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        limiter.run(1, async () => {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((r) => setImmediate(r));
          inFlight--;
        }),
      ),
    );
    expect(most).toBe(2);
  });
});

describe('openai cost', () => {
  it('prices dated snapshots by their family, cached prompt tokens at the cached price, unknown models at 0', () => {
    const p = priceFor('gpt-4o-mini-2024-07-18');
    expect(p).toEqual({ input: 0.15, cachedInput: 0.075, output: 0.6 });
    expect(priceFor('gpt-4o-2024-08-06')?.input).toBe(2.5);
    expect(costOf({ promptTokens: 1_000_000, cachedTokens: 400_000, completionTokens: 100_000 }, p)).toBeCloseTo(
      0.6 * 0.15 + 0.4 * 0.075 + 0.1 * 0.6,
      10,
    );
    expect(priceFor('llama3.1:8b')).toBeNull();
    expect(costOf({ promptTokens: 1000, cachedTokens: 0, completionTokens: 1000 }, priceFor('llama3.1:8b'))).toBe(0);
    expect(priceFor('my-model', { 'my-model': { input: 1, cachedInput: 0.5, output: 2 } })?.output).toBe(2);
  });
});
