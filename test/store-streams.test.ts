import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { runPipeline } from '../pipeline/run.ts';
import { allFixtures, tempStore } from './fixtures.ts';

/** The store's streaming and bulk reads give what the one-at-a-time reads give. */
let t: ReturnType<typeof tempStore>;
const backend = new OfflineBackend();
const producer = `offline:${backend.model}`;
beforeAll(async () => {
  t = tempStore();
  t.store.articles.insert(allFixtures());
  await runPipeline(t.store, backend, { settings: { backend: 'offline', model: backend.model, concurrency: 2, cache: true } });
});
afterAll(() => t.cleanup());

describe('store reads for large corpora', () => {
  it('streams the articles listArticles lists, and their content hashes', () => {
    expect([...t.store.articles.stream()]).toEqual(t.store.articles.list());
    expect([...t.store.articles.hashes()]).toEqual(t.store.articles.list().map((a) => [a.id, a.contentHash]));
    expect([...t.store.articles.hashes({ includeDuplicates: true })]).toEqual(
      t.store.articles.list({ includeDuplicates: true }).map((a) => [a.id, a.contentHash]),
    );
  });

  it('reads every postmortem of a producer as getPostmortem reads each one', () => {
    const all = [...t.store.records.postmortems(producer)];
    expect(all.length).toBe(t.store.incidents.list().length);
    // Several facts per incident, each with its citations: rows of one incident must not leak into the next.
    const facts = all.map(([, pm]) => Object.values(pm).filter(Array.isArray).flat());
    expect(facts.every((f) => f.length > 1 && f.every((x) => x.citations.length > 0))).toBe(true);
    for (const [id, pm] of all) expect(pm).toEqual(t.store.records.postmortem(id, producer)!.postmortem);
    expect([...t.store.records.postmortems('nobody:none')]).toEqual([]);
  });

  it("gives every citation with its article's text", () => {
    const cites = [...t.store.records.citationsWithText()];
    expect(cites.length).toBe(t.store.counts().citations);
    const texts = new Map(t.store.articles.list().map((a) => [a.id, a.text]));
    for (const c of cites) expect(c.text).toBe(texts.get(c.articleId));
  });
});
