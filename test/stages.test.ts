import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { runStage, type StageContext } from '../pipeline/jobs/runner.ts';
import { runPipeline } from '../pipeline/run.ts';
import { screenStage } from '../pipeline/stages/screen.ts';
import { groupStage } from '../pipeline/stages/group.ts';
import { extractStage } from '../pipeline/stages/extract.ts';
import { classifyStage } from '../pipeline/stages/classify.ts';
import { callContext } from '../pipeline/stages/call.ts';
import { longDate } from '../pipeline/backends/offline/timeline.ts';
import { CandidateIndex } from '../pipeline/group/index.ts';
import { terms } from '../pipeline/group/tfidf.ts';
import { SparseCorpus } from '../pipeline/group/sparse.ts';
import type { RunEvent } from '../pipeline/jobs/events.ts';
import type { Backend } from '../pipeline/backends/backend.ts';
import {
  POSTMORTEM_FIELDS,
  TAXONOMY,
  TaxonomyLabel,
  UNKNOWN,
  Postmortem,
  normalizeOptions,
  type Article,
  type Citation,
} from '../schemas/index.ts';
import { allFixtures, fixture, tempStore } from './fixtures.ts';

const FAILURES = ['bank1', 'bank1FollowUp', 'bank2', 'car', 'breach'];
const NON_FAILURES = ['launch', 'funding', 'conference'];
const settings = (b: OfflineBackend) => ({ backend: b.name, model: b.model, concurrency: 2, cache: true });

let t: ReturnType<typeof tempStore>;
let backend: OfflineBackend;
let ctx: StageContext;
beforeEach(() => {
  t = tempStore();
  backend = new OfflineBackend();
  t.store.articles.insert(allFixtures());
  ctx = { store: t.store, backend, runId: t.store.runs.start(settings(backend)).id };
});
afterEach(() => t.cleanup());

const run = (def: Parameters<typeof runStage>[0]) => runStage(def, ctx, { concurrency: 2 });
async function upTo(stage: 'screen' | 'group' | 'extract' | 'classify') {
  for (const def of [screenStage, groupStage, extractStage, classifyStage]) {
    await run(def as Parameters<typeof runStage>[0]);
    if (def.name === stage) return;
  }
}

/** Every citation verifiable as exact: in one of the given articles, slice equal to its quote. */
function expectExact(citations: Citation[], articles: Map<string, Article>) {
  for (const c of citations) {
    expect(c.alignment).toBe('exact');
    const a = articles.get(c.articleId);
    expect(a, `cited article ${c.articleId}`).toBeDefined();
    expect(a!.text.slice(c.start, c.end)).toBe(c.quote);
    expect(c.quote.length).toBeGreaterThan(0);
  }
}

const incidentOf = (id: string) => t.store.incidents.membership().get(id);

/**
 * A label citing no sentence: `unknown` saying no option is supported enough, one chosen from a headline
 * that it quotes, or options from the prior, each saying so with the prior's strength.
 */
function expectNoEvidenceLabel(l: { dimension: string; options: string[]; rationale: string; confidence: number }) {
  if (l.options.includes(UNKNOWN)) expect(l.rationale, l.dimension).toMatch(/^unknown: no option is supported strongly enough/);
  else if (/from the headline/.test(l.rationale)) expect(l.rationale, l.dimension).toMatch(/from the headline "[^"]+" \[Article [^\]]+\]/);
  // Either nothing in the articles speaks for the option, or only words that suggest it without stating it.
  else
    for (const o of l.options)
      expect(l.rationale, l.dimension).toMatch(
        new RegExp(
          `${o}: no sentence states it; (?:it comes from the prior \\(|words that suggest it \\((?:"[^"]+"(?:, )?)+\\) appear in \\d+ sentences?, and )\\d+ of \\d+ \\S+ incidents have it`,
        ),
      );
}

describe('screen', () => {
  it('separates failure reports from articles that only mention software', async () => {
    const r = await run(screenStage);
    expect(r).toMatchObject({ planned: 8, done: 8, failed: 0, skipped: 0 });
    const s = t.store.records.screenings();
    for (const id of FAILURES) expect(s.get(id)!.isFailure, id).toBe(true);
    for (const id of NON_FAILURES) expect(s.get(id)!.isFailure, id).toBe(false);
    for (const [id, x] of s) {
      expect(x.confidence, id).toBeGreaterThanOrEqual(0);
      expect(x.confidence, id).toBeLessThanOrEqual(1);
      expect(x.rationale.length, id).toBeGreaterThan(10);
      expect(x.provenance).toMatchObject({ backend: 'offline', model: backend.model, runId: ctx.runId });
      if (!x.isFailure) expect(x.analyzable, id).toBe(false);
    }
    // A report naming a cause and its impact is analysable.
    expect(s.get('bank1')!.analyzable).toBe(true);
  });
});

describe('group', () => {
  it('joins a follow-up, keeps a same-topic incident a year later apart, and groups only failures', async () => {
    await upTo('group');
    expect(incidentOf('bank1')).toBeDefined();
    expect(incidentOf('bank1FollowUp')).toBe(incidentOf('bank1'));
    expect(incidentOf('bank2')).toBeDefined();
    expect(incidentOf('bank2')).not.toBe(incidentOf('bank1'));
    expect(incidentOf('car')).not.toBe(incidentOf('bank1'));
    expect(incidentOf('breach')).not.toBe(incidentOf('car'));
    for (const id of NON_FAILURES) expect(incidentOf(id), id).toBeUndefined();
    expect(t.store.incidents.list()).toHaveLength(4);
  });

  it('does not depend on how the articles were split between runs', async () => {
    await upTo('screen');
    // Group the first articles alone, as if a run had been killed part-way, then the rest.
    const first = new Set(['breach', 'car', 'bank1']);
    const partial: typeof groupStage = { ...groupStage, plan: (c) => groupStage.plan(c).filter((j) => first.has(j.key)) };
    await run(partial);
    expect(t.store.incidents.membership().size).toBe(3);
    await run(groupStage);
    const resumed = t.store.incidents.list();

    const fresh = tempStore();
    try {
      fresh.store.articles.insert(allFixtures());
      const c2 = { store: fresh.store, backend, runId: fresh.store.runs.start(settings(backend)).id };
      for (const def of [screenStage, groupStage]) await runStage(def as Parameters<typeof runStage>[0], c2, { concurrency: 2 });
      expect(resumed).toEqual(fresh.store.incidents.list());
    } finally {
      fresh.cleanup();
    }
  });

  it('finds candidates through shared distinctive terms, not by comparing every pair', () => {
    const arts = allFixtures();
    const corpus = new SparseCorpus();
    const counts = new Map(arts.map((a) => [a.id, corpus.add(terms(a))]));
    const index = new CandidateIndex();
    const others = arts.filter((x) => x.id !== 'bank1FollowUp');
    others.forEach((a, n) => index.add(n, corpus.vector(counts.get(a.id)!)));
    const candidates = index.candidates(corpus.vector(counts.get('bank1FollowUp')!)).map((n) => others[n].id);
    expect(candidates[0]).toBe('bank1');
    expect(candidates).not.toContain('funding');
  });
});

describe('extract', () => {
  it('writes a postmortem per incident whose facts are verbatim spans or dates with exact, slice-equal citations', async () => {
    await upTo('extract');
    const articles = new Map(t.store.articles.list().map((a) => [a.id, a]));
    const incidents = t.store.incidents.list();
    expect(t.store.counts().postmortems).toBe(incidents.length);
    for (const inc of incidents) {
      const got = t.store.records.postmortem(inc.id, `offline:${backend.model}`)!;
      expect(got.provenance).toMatchObject({ backend: 'offline', runId: ctx.runId });
      const pm = Postmortem.parse(got.postmortem);
      expect(pm.title.length).toBeGreaterThan(0);
      const facts = POSTMORTEM_FIELDS.flatMap((f) => pm[f]);
      expect(facts.length, inc.id).toBeGreaterThan(0);
      for (const f of facts) {
        expect(f.citations.length).toBeGreaterThan(0);
        expectExact(f.citations, articles);
        for (const c of f.citations) expect(inc.articleIds).toContain(c.articleId);
        // A date worked out to the day, the month or the year from an expression in the cited sentence.
        const dated =
          /^(?:[A-Z][a-z]+ (?:\d{1,2}, )?)?\d{4} \(worked out from "([^"]+)" in an article published on [A-Z][a-z]+ \d{1,2}, \d{4}\)$/.exec(
            f.text,
          );
        // An article that dates its failure nowhere: the day it was published, citing its first sentence about it.
        const reported = /^Reported on ([A-Z][a-z]+ \d{1,2}, \d{4}) \(the day the article was published\)$/.exec(f.text);
        // Otherwise the fact is the cited text itself (a sentence, a clause or a name).
        if (dated) expect(f.citations[0]!.quote).toContain(dated[1]);
        else if (reported) expect(longDate(Date.parse(articles.get(f.citations[0]!.articleId)!.published!))).toBe(reported[1]);
        else expect(f.citations.map((c) => c.quote)).toContain(f.text);
      }
    }
    const bank = t.store.records.postmortem(incidentOf('bank1')!, `offline:${backend.model}`)!.postmortem;
    expect(bank.title).toBe(fixture('bank1').headline);
    expect(bank.softwareCauses.map((f) => f.text).join(' ')).toMatch(/bug|coding error|update/);
    // "for most of Monday" in an article published on Monday 6 March 2023.
    expect(bank.time[0]!.text).toBe('March 6, 2023 (worked out from "most of Monday" in an article published on March 6, 2023)');
  });
});

describe('classify', () => {
  it('labels all 16 dimensions for a cyber-physical system and 13 otherwise, each with rationale, confidence and exact citations', async () => {
    await upTo('classify');
    const articles = new Map(t.store.articles.list().map((a) => [a.id, a]));
    const all = TAXONOMY.map((d) => d.key);
    for (const inc of t.store.incidents.list()) {
      const labels = t.store.records.labels(inc.id);
      for (const l of labels) TaxonomyLabel.parse(l);
      const cps = labels.find((l) => l.dimension === 'cps')!;
      const iot = ['perception', 'communication', 'application'];
      const expected = cps.options.includes('true') ? all : all.filter((d) => !iot.includes(d));
      expect(
        labels.map((l) => l.dimension),
        inc.id,
      ).toEqual(expected);
      for (const l of labels) {
        expect(l.options).toEqual(normalizeOptions(l.dimension, l.options));
        expect(l.rationale.length).toBeGreaterThan(10);
        expect(l.confidence).toBeGreaterThanOrEqual(0);
        expect(l.confidence).toBeLessThanOrEqual(1);
        expectExact(l.citations, articles);
        for (const c of l.citations) {
          expect(inc.articleIds).toContain(c.articleId);
          // The rationale quotes its evidence sentences, with the article they come from.
          expect(l.rationale).toContain(`"${c.quote.replace(/^["“”'‘’\s]+|["“”'‘’\s]+$/g, '').slice(0, 100)}`);
          expect(l.rationale).toContain(`[Article ${c.articleId}]`);
        }
        if (l.citations.length === 0) expectNoEvidenceLabel(l);
      }
    }
    const car = t.store.records.labels(incidentOf('car')!);
    expect(car.find((l) => l.dimension === 'cps')!.options).toEqual(['true']);
    expect(car).toHaveLength(16);
    const breach = t.store.records.labels(incidentOf('breach')!);
    expect(breach.find((l) => l.dimension === 'objective')!.options).toContain('malicious');
    expect(breach.find((l) => l.dimension === 'cps')!.options).toEqual(['false']);
  });

  it('without any evidence, labels unknown or a low-confidence guess that says so, citing nothing', async () => {
    const bare = fixture('bank1', {
      id: 'bare',
      headline: 'Notice',
      text: 'Notice to readers.\n\nThis page has moved.\n\nThank you for reading.',
    });
    const b: Backend = backend;
    const drafts = await b.classify(
      { id: 'inc-bare', articleIds: ['bare'], published: null },
      [bare],
      null,
      callContext(t.store, ctx.runId, 'inc-bare'),
    );
    expect(drafts.map((d) => d.dimension)).toContain('phase');
    for (const d of drafts) {
      expect(d.citations, d.dimension).toEqual([]);
      expect(d.rationale, d.dimension).not.toMatch(/supporting sentence/);
      expectNoEvidenceLabel(d);
    }
  });
});

describe('the runner', () => {
  it('a second run does no new job and changes no record', async () => {
    const first = await runPipeline(t.store, backend, { settings: settings(backend) });
    expect(first.stages.map((s) => s.done)).toEqual([8, 5, 4, 4]);
    const records = JSON.stringify(t.store.records.list());
    const events: RunEvent[] = [];
    const second = await runPipeline(t.store, backend, { settings: settings(backend), onEvent: (e) => events.push(e) });
    for (const s of second.stages) expect(s, s.stage).toMatchObject({ done: 0, failed: 0, skipped: s.planned });
    expect(events.filter((e) => e.type === 'job')).toEqual([]);
    expect(JSON.stringify(t.store.records.list())).toBe(records);
    // The run opened by beforeEach is not finished, but alive (this process renews its lease): later runs leave it be.
    expect(t.store.runs.list().map((r) => r.status)).toEqual(['running', 'done', 'done']);
  });

  it("counts this model's records only, when another model's records are in the store too", async () => {
    const first = await runPipeline(t.store, backend, { settings: settings(backend) });
    // A re-learned model is another producer: its records go beside the old ones, which the summary must not add in.
    const relearned = Object.create(backend, { model: { value: `${backend.model}-relearned` } }) as OfflineBackend;
    const second = await runPipeline(t.store, relearned, { settings: settings(relearned) });
    expect(t.store.counts().postmortems).toBe(2 * first.records);
    expect(second.records).toBe(t.store.incidents.list().length);
    expect(second).toMatchObject({ records: first.records, labels: first.labels, citations: first.citations });
  });

  it('a changed article re-runs only the jobs that depend on it', async () => {
    await runPipeline(t.store, backend, { settings: settings(backend) });
    const before = new Map(t.store.records.list().map((r) => [r.id, JSON.stringify(r)]));
    const bankIncident = incidentOf('bank1FollowUp')!;
    const edited = fixture('bank1FollowUp', {
      text: `${fixture('bank1FollowUp').text}\n\nOn Thursday the bank said the outage had cost it about $2m in refunds.`,
    });
    expect(t.store.articles.insert([edited]).updated).toBe(1);
    const again = await runPipeline(t.store, backend, { settings: settings(backend) });
    expect(again.stages.map((s) => [s.stage, s.done])).toEqual([
      ['screen', 1],
      ['group', 0],
      ['extract', 1],
      ['classify', 1],
    ]);
    // It stays in its incident, and the run says that a fresh database might have grouped it otherwise.
    expect(again.grouping).toEqual({ regrouped: 0, stale: 1 });
    expect(incidentOf('bank1FollowUp')).toBe(bankIncident);
    for (const r of t.store.records.list()) {
      if (r.id === bankIncident) expect(JSON.stringify(r)).not.toBe(before.get(r.id));
      else expect(JSON.stringify(r), r.id).toBe(before.get(r.id));
    }
  });

  it('an article edited into a non-failure leaves its incident, and the incident is redone without it', async () => {
    await runPipeline(t.store, backend, { settings: settings(backend) });
    const bankIncident = incidentOf('bank1')!;
    expect(incidentOf('bank1FollowUp')).toBe(bankIncident);
    const carIncident = incidentOf('car')!;
    const carRecord = JSON.stringify(t.store.records.list().find((r) => r.id === carIncident));
    // The follow-up's page now holds an unrelated product story; the car article became a copy of another story.
    const launch = fixture('launch');
    const edited = [
      fixture('launch', { id: 'bank1FollowUp', text: `${launch.text}\n\nPre-orders open next week.` }),
      fixture('funding', { id: 'car' }),
    ];
    expect(t.store.articles.insert(edited)).toMatchObject({ updated: 2 });
    expect(t.store.articles.get('car')!.duplicateOf).toBe('funding');
    const again = await runPipeline(t.store, backend, { settings: settings(backend) });
    expect(again.stages.map((s) => [s.stage, s.done])).toEqual([
      ['screen', 1],
      ['group', 0],
      ['extract', 1],
      ['classify', 1],
    ]);
    expect(t.store.records.screenings().get('bank1FollowUp')!.isFailure).toBe(false);
    expect(incidentOf('bank1FollowUp')).toBeUndefined();
    expect(incidentOf('car')).toBeUndefined();
    expect(t.store.incidents.get(bankIncident)!.articleIds).toEqual(['bank1']);
    // The emptied incident is gone with its records and jobs; nothing cites the edited articles.
    expect(t.store.incidents.get(carIncident)).toBeUndefined();
    expect(t.store.records.list().map((r) => r.id)).not.toContain(carIncident);
    expect(carRecord).toBeDefined();
    expect(t.store.jobs.forStage('extract').has(carIncident)).toBe(false);
    for (const c of t.store.records.citationsWithText()) expect(['bank1FollowUp', 'car']).not.toContain(c.articleId);
    expect(t.store.jobs.counts().group).toEqual({ done: 3 });
  });

  it('leaves incidents another grouping made as they are and says so; regrouping gives what a fresh database gives', async () => {
    await runPipeline(t.store, backend, { settings: settings(backend) });
    const fresh = t.store.incidents.membership();
    // Records as the fresh database has them, but for the run that wrote them.
    const content = () => new Map(t.store.records.list().map((r) => [r.id, JSON.stringify(r, (k, v) => (k === 'runId' ? undefined : v))]));
    const records = content();
    const bankIncident = incidentOf('bank1')!;
    // What an older grouping method left: the follow-up in an incident of its own, every job done under other inputs.
    t.store.incidents.removeArticle('bank1FollowUp');
    t.store.incidents.addArticle('inc-older', 'bank1FollowUp', null, ctx.runId);
    for (const id of fresh.keys()) t.store.jobs.mark('group', id, 'an older grouping', 'done', ctx.runId);

    const kept = await runPipeline(t.store, backend, { settings: settings(backend) });
    expect(kept.grouping).toEqual({ regrouped: 0, stale: fresh.size });
    expect(kept.stages.find((s) => s.stage === 'group')).toMatchObject({ planned: 0, done: 0 });
    expect(incidentOf('bank1FollowUp')).toBe('inc-older');

    const regrouped = await runPipeline(t.store, backend, { settings: settings(backend), regroup: 'stale' });
    expect(regrouped.grouping).toEqual({ regrouped: fresh.size, stale: 0 });
    expect(t.store.incidents.membership()).toEqual(fresh);
    // The incident left empty goes with its records; only the one whose articles changed is extracted again.
    expect(t.store.incidents.get('inc-older')).toBeUndefined();
    expect(t.store.records.list().map((r) => r.id)).not.toContain('inc-older');
    expect(regrouped.stages.find((s) => s.stage === 'extract')).toMatchObject({ done: 1 });
    expect(content()).toEqual(records);
    expect(incidentOf('bank1FollowUp')).toBe(bankIncident);

    const after = await runPipeline(t.store, backend, { settings: settings(backend), regroup: 'stale' });
    expect(after.grouping).toEqual({ regrouped: 0, stale: 0 });
    for (const s of after.stages) expect(s, s.stage).toMatchObject({ done: 0 });
  });

  it('a failing job is recorded, the others finish, and the next run retries it', async () => {
    class Flaky extends OfflineBackend {
      fail = true;
      override async screen(a: Article) {
        if (this.fail && a.id === 'car') throw new Error('model timed out');
        return super.screen(a);
      }
    }
    const flaky = new Flaky();
    const first = await runPipeline(t.store, flaky, { settings: settings(flaky) });
    expect(first.failedJobs).toBe(1);
    expect(t.store.jobs.failed()).toMatchObject([{ stage: 'screen', key: 'car', error: 'model timed out' }]);
    expect(incidentOf('bank1')).toBeDefined();
    expect(incidentOf('car')).toBeUndefined();
    flaky.fail = false;
    const second = await runPipeline(t.store, flaky, { settings: settings(flaky) });
    expect(second.failedJobs).toBe(0);
    expect(second.stages[0]).toMatchObject({ done: 1, skipped: 7 });
    expect(incidentOf('car')).toBeDefined();
  });
});
