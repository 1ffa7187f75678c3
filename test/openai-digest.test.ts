import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Citation, POSTMORTEM_FIELDS, type Postmortem, emptyPostmortem } from '../schemas/index.ts';
import { parseBlocks } from '../pipeline/backends/openai/articles.ts';
import { renderDigest } from '../pipeline/backends/openai/digest.ts';
import { runPipeline } from '../pipeline/run.ts';
import { fixture, tempStore } from './fixtures.ts';
import { callContext, testBackend } from './openai-helpers.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../evals/servers/fake-openai.ts';

const bank = fixture('bank1');
const follow = fixture('bank1FollowUp');

/** A verified citation of `quote` in `article`, as extraction stores it. */
function cite(article: typeof bank, quote: string): Citation {
  const start = article.text.indexOf(quote);
  if (start < 0) throw new Error(`test quote not in ${article.id}`);
  return { articleId: article.id, quote, start, end: start + quote.length, alignment: 'exact' };
}

function postmortem(): Postmortem {
  const pm = emptyPostmortem('Harbourline Bank app outage');
  pm.summary = 'A faulty login update took the app down for nine hours.';
  pm.softwareCauses = [{ text: 'A login update had a bug.', citations: [cite(bank, 'a bug in an update to its login service')] }];
  pm.impacts = [{ text: 'The outage lasted nine hours.', citations: [cite(bank, 'lasted for nearly nine hours')] }];
  return pm;
}

let server: FakeOpenAI;
beforeAll(async () => {
  server = await startFakeOpenAI();
});
afterAll(async () => {
  await server.close();
});

describe('classification digest of a postmortem', () => {
  it('shows the summary and only the verified quotes, in blocks of the articles they come from', () => {
    const pm = postmortem();
    pm.fixes = [{ text: 'Stale.', citations: [{ articleId: bank.id, quote: 'gone', start: -1, end: -1, alignment: 'unaligned' }] }];
    const d = renderDigest(pm, [bank, follow])!;
    expect(d.text).toMatch(/^<<<BEGIN POSTMORTEM · boundary \w+>>>\ntitle: Harbourline Bank app outage\nsummary: A faulty login update/);
    const blocks = parseBlocks(d.text);
    // the follow-up has no quote in the postmortem, so it is not shown; the unaligned citation shows nothing
    expect(blocks.map((b) => [b.id, b.headline])).toEqual([[bank.id, bank.headline]]);
    expect(blocks[0].text).toBe('lasted for nearly nine hours\n\na bug in an update to its login service');
    expect(d.text).not.toContain('Thousands of customers');
    expect(d.passages.map((p) => [p.article.id, p.start, p.end])).toEqual([[bank.id, 0, bank.text.length]]);
    expect(renderDigest(emptyPostmortem('nothing'), [bank])).toBeNull();
  });

  it('classify reads the digest when a postmortem exists, and places quotes in the original article text', async () => {
    const t = tempStore();
    try {
      const { backend } = testBackend(server.url);
      const incident = { id: 'inc-hb', articleIds: [bank.id, follow.id], published: bank.published };
      const n = server.requests.length;
      const withPm = await backend.classify(incident, [bank, follow], postmortem(), callContext(t.store, 'inc-hb'));
      const withoutPm = await backend.classify(incident, [bank, follow], null, callContext(t.store, 'inc-hb'));
      const [a, b] = server.requests.slice(n).filter((r) => r.format === 'classify');
      expect(a.body.messages[1].content).toContain('<<<BEGIN POSTMORTEM');
      expect(a.articleIds).toEqual([bank.id]);
      expect(a.body.messages[1].content).not.toContain('Thousands of customers');
      expect(b.articleIds).toEqual([bank.id, follow.id]);
      expect(a.promptTokens).toBeLessThan(b.promptTokens);
      const cites = withPm.flatMap((l) => l.citations);
      expect(cites.length).toBeGreaterThan(0);
      // offsets are in the whole article, not in the digest, and the text there is the quote
      for (const c of cites) expect(bank.text.slice(c.start, c.end)).toBe(c.quote);
      expect(withoutPm.length).toBe(withPm.length);
    } finally {
      t.cleanup();
    }
  });

  it('a changed postmortem makes the classify stage run again for that incident only', async () => {
    const t = tempStore();
    try {
      t.store.articles.insert([bank, follow, fixture('car')]);
      const { backend } = testBackend(server.url);
      const settings = { backend: 'openai', model: backend.model, concurrency: 2, cache: true };
      const first = await runPipeline(t.store, backend, { settings });
      expect(first.failedJobs).toBe(0);
      const producer = 'openai:gpt-4o-mini';
      const inc = t.store.incidents.list().find((i) => i.articleIds.includes(bank.id))!;
      const stored = t.store.records.postmortem(inc.id, producer)!;
      const changed = { ...stored.postmortem, summary: `${stored.postmortem.summary} (revised)` };
      expect(POSTMORTEM_FIELDS.some((f) => changed[f].length > 0)).toBe(true);
      t.store.records.savePostmortem(inc.id, changed, stored.provenance);
      const n = server.requests.length;
      const again = await runPipeline(t.store, backend, { settings });
      expect(again.failedJobs).toBe(0);
      const classify = again.stages.find((s) => s.stage === 'classify')!;
      expect(classify.done).toBe(1);
      expect(again.stages.filter((s) => s.stage !== 'classify').every((s) => s.done === 0)).toBe(true);
      // the re-run is the classify job alone (its call may come from the cache when it read the articles)
      expect(server.requests.slice(n).every((r) => r.format === 'classify')).toBe(true);
    } finally {
      t.cleanup();
    }
  });
});
