import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, tempStore } from './fixtures.ts';
import { callContext, testBackend } from './openai-helpers.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../evals/servers/fake-openai.ts';
import { planBatches, splitArticle } from '../pipeline/backends/openai/chunking.ts';
import { parseBlocks, passageText } from '../pipeline/backends/openai/articles.ts';
import { tokenCounter } from '../pipeline/backends/openai/tokens.ts';
import { verifyCitation } from '../pipeline/citations/align.ts';
import { POSTMORTEM_FIELDS } from '../schemas/index.ts';

const count = tokenCounter('gpt-4o-mini');

/** A long, invented report: a week of outages at a fictional payments firm, one paragraph a day. */
function longReport(days: number, firm = 'Tallyport'): string {
  const causes = [
    'a faulty database update',
    'a certificate that had expired',
    'a bug in the retry logic',
    'an overloaded message queue',
    'a misconfigured load balancer',
  ];
  return Array.from({ length: days }, (_, i) =>
    [
      `On day ${i + 1} of the disruption, ${firm}'s payment service crashed again at ${8 + (i % 9)}:${String((i * 7) % 60).padStart(2, '0')} a.m., leaving about ${(i + 2) * 1300} merchants unable to take card payments for ${i + 2} hours.`,
      `Engineers at ${firm} said the outage on day ${i + 1} was caused by ${causes[i % causes.length]}, which they rolled back by the afternoon.`,
      `A spokesperson for ${firm} apologised to customers and said refunds of fees charged during the day ${i + 1} outage would be paid within a week.`,
    ].join(' '),
  ).join('\n\n');
}

describe('openai chunking', () => {
  it('cuts a long article into passages that hold their offsets in the original text', async () => {
    const a = fixture('bank1', { id: 'long', text: longReport(30) });
    const passages = await splitArticle(a, 400, count);
    expect(passages.length).toBeGreaterThan(3);
    let covered = 0;
    for (const p of passages) {
      expect(passageText(p)).toBe(a.text.slice(p.start, p.end));
      expect(count(passageText(p))).toBeLessThanOrEqual(400);
      expect(p.start).toBeLessThanOrEqual(covered + 2); // neighbours overlap or touch: nothing falls between
      covered = Math.max(covered, p.end);
    }
    expect(covered).toBe(a.text.length);
  });

  it('packs short articles into one call and splits what does not fit', async () => {
    const short = [fixture('bank1'), fixture('bank1FollowUp')];
    expect((await planBatches(short, 3000, count)).map((b) => b.length)).toEqual([2]);
    const long = [fixture('bank1', { id: 'long', text: longReport(40) }), fixture('car')];
    const batches = await planBatches(long, 800, count);
    expect(batches.length).toBeGreaterThan(2);
    expect(batches.flat().filter((p) => p.article.id === 'car')).toHaveLength(1);
  });
});

describe('openai map-reduce extraction', () => {
  let server: FakeOpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAI();
  });
  afterAll(async () => {
    await server.close();
  });

  it('extracts a long incident in parts, merges them, and keeps every citation on the original offsets', async () => {
    const t = tempStore();
    try {
      const articles = [
        fixture('bank1', { id: 'tp-1', headline: 'Tallyport payment outages drag on', text: longReport(24) }),
        fixture('bank1', { id: 'tp-2', headline: 'Tallyport outages continue', text: longReport(12) }),
      ];
      t.store.articles.insert(articles);
      const { backend } = testBackend(server.url, { tokenBudget: 2400 });
      const before = server.requests.length;
      const pm = await backend.extract(
        { id: 'inc-tp', articleIds: ['tp-1', 'tp-2'], published: null },
        articles,
        callContext(t.store, 'inc-tp'),
      );
      const sent = server.requests.slice(before).map((r) => r.format);
      expect(sent.filter((f) => f === 'extract').length).toBeGreaterThan(1);
      expect(sent.filter((f) => f === 'extract_merge')).toHaveLength(1);
      const byId = new Map(articles.map((a) => [a.id, a.text]));
      const citations = POSTMORTEM_FIELDS.flatMap((f) => pm[f].flatMap((fact) => fact.citations));
      expect(citations.length).toBeGreaterThan(5);
      for (const c of citations) expect(verifyCitation(c, byId.get(c.articleId)!)).toBe(true);
      // The first call saw an excerpt of tp-1; facts from its later part keep offsets past that excerpt.
      const first = parseBlocks(server.requests[before].body.messages[1].content)[0];
      expect(first.excerpt).not.toBeNull();
      expect(citations.some((c) => c.articleId === 'tp-1' && c.start > first.excerpt!.end)).toBe(true);
    } finally {
      t.cleanup();
    }
  });
});
