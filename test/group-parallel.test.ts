import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Article, Incident } from '../schemas/index.ts';
import type { Backend, SameIncidentVerdict } from '../pipeline/backends/backend.ts';
import { runStage } from '../pipeline/jobs/runner.ts';
import { groupStage } from '../pipeline/stages/group.ts';
import { Grouper } from '../pipeline/group/cluster.ts';
import { AskAhead } from '../pipeline/group/ahead.ts';
import { TUNING } from '../pipeline/group/tuning.ts';
import { toArticle } from '../pipeline/ingest/article.ts';
import { ingest } from '../pipeline/ingest/ingest.ts';
import { daysBetween } from '../pipeline/text/dates.ts';
import { writeSyntheticCorpus } from '../evals/bench/synthetic.ts';
import { tempStore } from './fixtures.ts';

/** A small deterministic generator, so a failing scramble can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

/**
 * Answers same-incident questions from the evidence alone (so an answer is a function of its question),
 * each after a random number of event-loop turns: answers come back in a scrambled order, without timers.
 */
class ScrambledBackend implements Pick<Backend, 'name' | 'model' | 'promptHash' | 'schemaHash' | 'sameIncident'> {
  readonly name = 'scrambled';
  readonly model = 'test';
  inFlight = 0;
  maxInFlight = 0;
  calls = 0;
  private next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  promptHash() {
    return 'p';
  }
  schemaHash() {
    return null;
  }
  async sameIncident(_a: Article, incident: Article[], similarity: number): Promise<SameIncidentVerdict> {
    expect(incident).toHaveLength(1);
    this.calls++;
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    for (let turns = this.next() % 7; turns > 0; turns--) await new Promise((r) => setImmediate(r));
    this.inFlight--;
    return { same: similarity >= 0.25, confidence: 0.5 };
  }
}

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

async function groupAt(concurrency: number, seed: number, corpus: string): Promise<{ incidents: Incident[]; backend: ScrambledBackend }> {
  const t = tempStore();
  cleanups.push(t.cleanup);
  await ingest(t.store, [corpus]);
  const backend = new ScrambledBackend(seed);
  const ctx = {
    store: t.store,
    backend: backend as unknown as Backend,
    runId: t.store.runs.start({ backend: 'scrambled', model: 'test', concurrency, cache: true }).id,
  };
  const prov = { backend: backend.name, model: backend.model, promptHash: 'p', schemaHash: null, runId: ctx.runId };
  for (const a of t.store.articles.list())
    t.store.records.saveScreening(a.id, { isFailure: true, analyzable: true, confidence: 1, rationale: 'test' }, prov);
  const r = await runStage(groupStage, ctx, { concurrency });
  expect(r.failed).toBe(0);
  return { incidents: t.store.incidents.list(), backend };
}

describe('parallel grouping', () => {
  it('gives the same incidents at concurrency 1 and 8 when answers arrive in random order', async () => {
    const t = tempStore();
    cleanups.push(t.cleanup);
    const corpus = writeSyntheticCorpus('.', 120, join(t.dir, 'synthetic.jsonl')).path;
    const one = await groupAt(1, 1, corpus);
    expect(one.backend.maxInFlight).toBe(1);
    // Something to decide: several incidents of more than one article.
    expect(one.incidents.filter((i) => i.articleIds.length > 1).length).toBeGreaterThan(5);
    for (const seed of [2, 3]) {
      const eight = await groupAt(8, seed, corpus);
      expect(eight.backend.calls).toBe(one.backend.calls);
      expect(eight.backend.maxInFlight).toBeGreaterThan(1);
      expect(eight.backend.maxInFlight).toBeLessThanOrEqual(8);
      expect(eight.incidents).toEqual(one.incidents);
    }
  });

  it('does not chain similar stories of different years into one incident', async () => {
    // The same kind of outage every 200 days for ten years: each story is close to the one before.
    const stories = Array.from({ length: 19 }, (_x, i) =>
      toArticle({
        id: `s${String(i).padStart(2, '0')}`,
        origin: 'test',
        headline: 'Payment app outage at Harbourline Bank',
        published: new Date(Date.UTC(2010, 0, 1) + i * 200 * 86_400_000).toISOString().slice(0, 10),
        text: `Customers of Harbourline Bank could not pay by card for hours after the payment app failed (report ${i}).`,
      }),
    );
    const g = new Grouper(stories, () => true, new Map());
    const pass = new AskAhead(
      g,
      stories.map((s) => s.id),
      async () => true,
      { concurrency: 4, ahead: 8 },
    );
    for (const s of stories) await pass.assign(s.id);
    const byIncident = new Map<string, Article[]>();
    for (const s of stories) byIncident.set(g.incidentOf.get(s.id)!, [...(byIncident.get(g.incidentOf.get(s.id)!) ?? []), s]);
    expect(byIncident.size).toBeGreaterThan(1);
    for (const members of byIncident.values()) {
      expect(daysBetween(members[0].published, members.at(-1)!.published)).toBeLessThanOrEqual(TUNING.method.maxSpanDays);
    }
  });
});
