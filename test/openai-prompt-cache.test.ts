import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOf, priceFor } from '../pipeline/backends/openai/cost.ts';
import { tokenCounter, tokenEncoder } from '../pipeline/backends/openai/tokens.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../evals/servers/fake-openai.ts';
import { PromptCache } from '../evals/servers/prompt-cache.ts';
import { fixture, tempStore } from './fixtures.ts';
import { callContext, testBackend } from './openai-helpers.ts';

let server: FakeOpenAI;
beforeAll(async () => {
  server = await startFakeOpenAI();
});
afterAll(async () => {
  await server.close();
});

describe('provider prompt caching', () => {
  it('the local server serves a repeated prefix of at least 1024 tokens from its cache, in steps of 128, as OpenAI does', () => {
    const cache = new PromptCache(tokenEncoder('gpt-4o-mini'));
    const count = tokenCounter('gpt-4o-mini');
    const long = Array.from({ length: 400 }, (_, i) => `rule ${i}: quote exactly.`).join('\n');
    expect(count(long)).toBeGreaterThan(1200);
    const ask = (system: string, user: string) =>
      cache.serve([
        { role: 'system', content: system },
        { role: 'user', content: user },
      ]);
    expect(ask(long, 'first article')).toBe(0);
    const hit = ask(long, 'second article');
    expect(hit).toBeGreaterThanOrEqual(1024);
    expect(hit % 128).toBe(0);
    expect(hit).toBeLessThanOrEqual(4 + count(long));
    expect(ask(`${long} `, 'third article')).toBeLessThan(hit + 128);
    expect(ask('a short system message', 'x')).toBe(0);
    expect(ask('a short system message', 'x')).toBe(0);
  });

  it('classify calls share a byte-identical static prefix (instructions and taxonomy) long enough to be cached, and cached tokens are priced at their discount', async () => {
    const { backend } = testBackend(server.url, {}, { cache: false });
    const t = tempStore();
    try {
      const before = server.requests.length;
      for (const key of ['bank1', 'car', 'breach'] as const) {
        const a = fixture(key);
        const incident = { id: `inc-${key}`, articleIds: [a.id], published: a.published };
        await backend.classify(incident, [a], null, callContext(t.store, incident.id));
      }
      const calls = server.requests.slice(before).filter((r) => r.format === 'classify');
      expect(calls).toHaveLength(3);
      expect(new Set(calls.map((r) => r.body.messages[0].content)).size).toBe(1);
      expect(tokenCounter('gpt-4o-mini')(calls[0].body.messages[0].content)).toBeGreaterThanOrEqual(1024);
      expect(calls.map((r) => r.cachedTokens > 0)).toEqual([false, true, true]);
      const usage = t.store.modelCalls.usage('stage').find((u) => u.key === 'classify')!;
      expect(usage.cachedTokens).toBe(calls.reduce((n, r) => n + r.cachedTokens, 0));
      const price = priceFor('gpt-4o-mini');
      expect(usage.cost).toBeCloseTo(costOf(usage, price), 12);
      expect(usage.cost).toBeLessThan(costOf({ ...usage, cachedTokens: 0 }, price));
    } finally {
      t.cleanup();
    }
  });
});
