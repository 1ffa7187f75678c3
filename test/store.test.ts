import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Store, producerOf } from '../pipeline/store/store.ts';
import { MIGRATIONS } from '../pipeline/store/migrations.ts';
import {
  dimension,
  emptyPostmortem,
  TAXONOMY,
  type Citation,
  type DimensionKey,
  type Postmortem,
  type Provenance,
  type TaxonomyLabel,
} from '../schemas/index.ts';
import { fixture, tempDir, tempStore } from './fixtures.ts';

const PROV: Provenance = { backend: 'offline', model: 'm1', promptHash: 'p', schemaHash: null, runId: 'run-a' };
const OTHER: Provenance = { ...PROV, backend: 'openai', model: 'gpt-x' };
const screening = { isFailure: true, analyzable: true, confidence: 0.9, rationale: 'cues' };

let t: ReturnType<typeof tempStore>;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

/** A citation of the first `n` characters of an article: exact by construction. */
function citeStart(articleId: string, text: string, n = 20): Citation {
  return { articleId, quote: text.slice(0, n), start: 0, end: n, alignment: 'exact' };
}

function postmortem(articleId: string, text: string, facts: string[]): Postmortem {
  const pm = emptyPostmortem('Bank app outage');
  pm.summary = 'The app was down.';
  pm.impacts = facts.map((f) => ({ text: f, citations: [citeStart(articleId, text)] }));
  pm.softwareCauses = [
    {
      text: 'A bug in the update.',
      citations: [citeStart(articleId, text, 35), { articleId, quote: 'not in the text', start: -1, end: -1, alignment: 'unaligned' }],
    },
  ];
  return pm;
}

function labels(articleId: string, text: string, dims: DimensionKey[], prov = PROV): TaxonomyLabel[] {
  return dims.map((d) => ({
    dimension: d,
    options: [dimension(d).options[0].key],
    rationale: `why ${d}`,
    confidence: 0.6,
    citations: [citeStart(articleId, text, 10 + d.length)],
    provenance: prov,
  }));
}

describe('opening a store', () => {
  it('applies every migration once, and again on reopen applies none', () => {
    const latest = Math.max(...MIGRATIONS.map((m) => m.version));
    expect(t.store.schemaVersion()).toBe(latest);
    const path = t.store.path;
    t.store.close();
    const again = new Store(path);
    try {
      expect(again.schemaVersion()).toBe(latest);
      expect(again.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version).sort((a, b) => a - b));
    } finally {
      again.close();
    }
    t.store = new Store(path);
  });

  it('uses WAL and enforces foreign keys', () => {
    // WAL is a property of the file: another connection sees it.
    const raw = new Database(t.store.path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
    // A membership pointing at a missing article is refused, not stored.
    expect(() =>
      t.store.incidents.addArticle(
        'inc-x',
        'no-such-article',
        null,
        t.store.runs.start({ backend: 'offline', model: 'm', concurrency: 1, cache: true }).id,
      ),
    ).toThrow(/FOREIGN KEY/);
    expect(t.store.counts().incidents).toBe(0);
  });

  it('creates the directory a database file lives in', () => {
    const d = tempDir();
    try {
      const s = new Store(join(d.dir, 'nested', 'deeper', 'x.db'));
      expect(s.schemaVersion()).toBeGreaterThan(0);
      s.close();
    } finally {
      d.cleanup();
    }
  });
});

describe('articles', () => {
  it('inserts idempotently', () => {
    const arts = [fixture('bank1'), fixture('car')];
    expect(t.store.articles.insert(arts)).toEqual({ inserted: 2, existing: 0, duplicates: 0, updated: 0 });
    expect(t.store.articles.insert(arts)).toEqual({ inserted: 0, existing: 2, duplicates: 0, updated: 0 });
    expect(
      t.store.articles
        .list()
        .map((a) => a.id)
        .sort(),
    ).toEqual(['bank1', 'car']);
    expect(t.store.articles.get('bank1')).toEqual(arts[0]);
  });

  it('marks a re-saved copy (same text up to case and spacing) as a duplicate of the first', () => {
    const a = fixture('bank1');
    const copy = fixture('bank1', { id: 'bank1-syndicated', text: `  ${a.text.toUpperCase().replace(/ /g, '   ')}\n` });
    expect(copy.contentHash).toBe(a.contentHash);
    expect(t.store.articles.insert([a, copy])).toEqual({ inserted: 2, existing: 0, duplicates: 1, updated: 0 });
    expect(t.store.articles.get('bank1-syndicated')!.duplicateOf).toBe('bank1');
    expect(t.store.articles.list().map((x) => x.id)).toEqual(['bank1']);
    expect(
      t.store.articles
        .list({ includeDuplicates: true })
        .map((x) => x.id)
        .sort(),
    ).toEqual(['bank1', 'bank1-syndicated']);
    expect(t.store.counts()).toMatchObject({ articles: 1, duplicates: 1 });
  });

  it('updates an article whose text changed, and frees its former copies', () => {
    const a = fixture('bank1');
    const copy = fixture('bank1', { id: 'copy' });
    t.store.articles.insert([a, copy]);
    const edited = fixture('bank1', { text: `${a.text}\n\nUpdate: the bank has apologised again.` });
    expect(t.store.articles.insert([edited])).toEqual({ inserted: 0, existing: 0, duplicates: 0, updated: 1 });
    expect(t.store.articles.get('bank1')!.text).toBe(edited.text);
    expect(t.store.articles.get('bank1')!.contentHash).toBe(edited.contentHash);
    expect(t.store.articles.get('copy')!.duplicateOf).toBeNull();
  });

  it('records ingest problems with their origin', () => {
    t.store.articles.recordProblem('/in/a.jsonl:3', 'malformed JSON', null);
    expect(t.store.articles.problems()).toEqual([{ origin: '/in/a.jsonl:3', reason: 'malformed JSON' }]);
  });
});

describe('jobs', () => {
  it('jobs.complete writes results and the done mark together', () => {
    const run = t.store.runs.start({ backend: 'offline', model: 'm', concurrency: 1, cache: true });
    t.store.articles.insert([fixture('bank1')]);
    expect(t.store.jobs.claim('screen', 'bank1', 'h1', run.id)).toBe('claimed');
    t.store.jobs.complete('screen', 'bank1', 'h1', run.id, () => t.store.records.saveScreening('bank1', screening, PROV));
    expect(t.store.jobs.forStage('screen').get('bank1')).toMatchObject({ state: 'done', inputHash: 'h1', runId: run.id });
    expect(t.store.records.screenings().get('bank1')).toMatchObject({ isFailure: true, confidence: 0.9 });
  });

  it('a write that throws leaves the job unfinished and no data', () => {
    const run = t.store.runs.start({ backend: 'offline', model: 'm', concurrency: 1, cache: true });
    t.store.articles.insert([fixture('bank1'), fixture('car')]);
    t.store.jobs.claim('screen', 'bank1', 'h1', run.id);
    expect(() =>
      t.store.jobs.complete('screen', 'bank1', 'h1', run.id, () => {
        t.store.records.saveScreening('bank1', screening, PROV);
        t.store.incidents.addArticle('inc-1', 'bank1', null, run.id);
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(t.store.jobs.forStage('screen').get('bank1')).toMatchObject({ state: 'running', leaseOwner: run.id });
    expect(t.store.records.screenings().size).toBe(0);
    expect(t.store.counts().incidents).toBe(0);
    expect(t.store.incidents.membership().size).toBe(0);
  });

  it('counts jobs per stage and state', () => {
    const run = t.store.runs.start({ backend: 'offline', model: 'm', concurrency: 1, cache: true });
    t.store.jobs.mark('screen', 'a', 'h', 'done', run.id);
    t.store.jobs.mark('screen', 'b', 'h', 'failed', run.id, 'boom');
    t.store.jobs.mark('group', 'a', 'h', 'pending', run.id);
    expect(t.store.jobs.counts()).toEqual({ screen: { done: 1, failed: 1 }, group: { pending: 1 } });
    expect(t.store.jobs.failed()).toMatchObject([{ stage: 'screen', key: 'b', error: 'boom' }]);
  });

  it('runs.recoverInterrupted marks runs whose leases lapsed interrupted and their jobs pending', () => {
    let now = 1_000_000;
    const s = new Store(join(t.dir, 'clocked.db'), { jobs: { leaseMs: 1000, heartbeatMs: 3_600_000 }, clock: () => now });
    try {
      const run = s.runs.start({ backend: 'offline', model: 'm', concurrency: 1, cache: true });
      s.jobs.claim('extract', 'inc-1', 'h', run.id);
      s.jobs.mark('screen', 'a', 'h', 'done', run.id);
      // Alive: its heartbeat is recent.
      expect(s.runs.recoverInterrupted()).toBe(0);
      expect(s.runs.list()[0].status).toBe('running');
      now += 1001;
      expect(s.runs.recoverInterrupted()).toBe(1);
      expect(s.jobs.forStage('extract').get('inc-1')).toMatchObject({ state: 'pending', leaseOwner: null });
      expect(s.jobs.forStage('screen').get('a')!.state).toBe('done');
      expect(s.runs.list()[0]).toMatchObject({ id: run.id, status: 'interrupted' });
      expect(s.runs.list()[0].finishedAt).not.toBeNull();
      expect(s.runs.recoverInterrupted()).toBe(0);
    } finally {
      s.close();
    }
  });
});

describe('incidents and records', () => {
  let runId: string;
  beforeEach(() => {
    runId = t.store.runs.start({ backend: 'offline', model: 'm1', concurrency: 1, cache: true }).id;
    t.store.articles.insert([fixture('bank1'), fixture('bank1FollowUp'), fixture('car')]);
  });

  it('lists incidents with their articles in date order and the earliest date', () => {
    t.store.incidents.addArticle('inc-b', 'bank1FollowUp', 0.4, runId);
    t.store.incidents.addArticle('inc-b', 'bank1', null, runId);
    t.store.incidents.addArticle('inc-c', 'car', null, runId);
    expect(t.store.incidents.list()).toEqual([
      { id: 'inc-c', articleIds: ['car'], published: '2022-09-14' },
      { id: 'inc-b', articleIds: ['bank1', 'bank1FollowUp'], published: '2023-03-06' },
    ]);
    expect(t.store.incidents.membership().get('bank1')).toBe('inc-b');
    // An article belongs to one incident only.
    expect(() => t.store.incidents.addArticle('inc-c', 'bank1', null, runId)).toThrow(/UNIQUE/);
  });

  it("incidents.merge moves the articles and drops the merged incident's records and jobs", () => {
    const a = t.store.articles.get('bank1')!,
      b = t.store.articles.get('bank1FollowUp')!;
    t.store.incidents.addArticle('inc-a', 'bank1', null, runId);
    t.store.incidents.addArticle('inc-b', 'bank1FollowUp', null, runId);
    t.store.records.savePostmortem('inc-b', postmortem(b.id, b.text, ['Customers could not pay.']), PROV);
    t.store.records.saveLabels('inc-b', labels(b.id, b.text, ['phase', 'domain']));
    t.store.jobs.mark('extract', 'inc-b', 'h', 'done', runId);
    t.store.jobs.mark('classify', 'inc-b', 'h', 'done', runId);
    t.store.jobs.mark('extract', 'inc-a', 'h', 'done', runId);
    t.store.incidents.merge('inc-a', 'inc-b');
    expect(t.store.incidents.list()).toEqual([{ id: 'inc-a', articleIds: ['bank1', 'bank1FollowUp'], published: a.published }]);
    expect(t.store.counts()).toMatchObject({ incidents: 1, postmortems: 0, facts: 0, labels: 0, citations: 0 });
    expect(t.store.jobs.forStage('extract').has('inc-b')).toBe(false);
    expect(t.store.jobs.forStage('classify').has('inc-b')).toBe(false);
    expect(t.store.jobs.forStage('extract').has('inc-a')).toBe(true);
  });

  it('incidents.removeArticle takes an article out, and drops an incident left empty with its records and jobs', () => {
    const c = t.store.articles.get('car')!;
    t.store.incidents.addArticle('inc-b', 'bank1', null, runId);
    t.store.incidents.addArticle('inc-b', 'bank1FollowUp', null, runId);
    t.store.incidents.addArticle('inc-c', 'car', null, runId);
    t.store.records.saveLabels('inc-c', labels(c.id, c.text, ['phase']));
    t.store.jobs.mark('group', 'car', 'h', 'done', runId);
    t.store.jobs.mark('classify', 'inc-c', 'h', 'done', runId);
    t.store.incidents.removeArticle('bank1FollowUp');
    expect(t.store.incidents.get('inc-b')!.articleIds).toEqual(['bank1']);
    t.store.incidents.removeArticle('car');
    expect(t.store.incidents.get('inc-c')).toBeUndefined();
    expect(t.store.counts()).toMatchObject({ incidents: 1, labels: 0, citations: 0 });
    expect(t.store.jobs.forStage('group').has('car')).toBe(false);
    expect(t.store.jobs.forStage('classify').has('inc-c')).toBe(false);
    t.store.incidents.removeArticle('launch');
    expect(t.store.counts().incidents).toBe(1);
  });

  it("records.savePostmortem replaces one producer's postmortem and round-trips its citations", () => {
    const a = t.store.articles.get('bank1')!;
    t.store.incidents.addArticle('inc-a', 'bank1', null, runId);
    t.store.records.savePostmortem('inc-a', postmortem(a.id, a.text, ['one', 'two', 'three']), PROV);
    const other = postmortem(a.id, a.text, ['from another model']);
    t.store.records.savePostmortem('inc-a', other, OTHER);
    const second = postmortem(a.id, a.text, ['only this']);
    t.store.records.savePostmortem('inc-a', second, PROV);
    expect(t.store.records.postmortem('inc-a', producerOf(PROV))).toEqual({ postmortem: second, provenance: PROV });
    expect(t.store.records.postmortem('inc-a', producerOf(OTHER))).toEqual({ postmortem: other, provenance: OTHER });
    // 2 producers × (1 impact + 1 cause) facts; 2 × (1 + 2) citations: nothing left over from the first save.
    expect(t.store.counts()).toMatchObject({ postmortems: 2, facts: 4, citations: 6 });
    expect(t.store.records.postmortem('inc-a', 'nobody:none')).toBeNull();
  });

  it('records.savePostmortem is all or nothing', () => {
    const a = t.store.articles.get('bank1')!;
    t.store.incidents.addArticle('inc-a', 'bank1', null, runId);
    const good = postmortem(a.id, a.text, ['kept']);
    t.store.records.savePostmortem('inc-a', good, PROV);
    const bad = postmortem(a.id, a.text, ['new']);
    bad.fixes = [{ text: 'x', citations: [{ articleId: 'no-such-article', quote: 'q', start: 0, end: 1, alignment: 'exact' }] }];
    expect(() => t.store.records.savePostmortem('inc-a', bad, PROV)).toThrow(/FOREIGN KEY/);
    expect(t.store.records.postmortem('inc-a', producerOf(PROV))!.postmortem).toEqual(good);
  });

  it("records.saveLabels replaces one producer's labels, dropping dimensions no longer labelled", () => {
    const a = t.store.articles.get('car')!;
    t.store.incidents.addArticle('inc-c', 'car', null, runId);
    const all = TAXONOMY.map((d) => d.key);
    t.store.records.saveLabels('inc-c', labels(a.id, a.text, all));
    t.store.records.saveLabels('inc-c', labels(a.id, a.text, ['phase', 'domain'], OTHER));
    expect(t.store.records.labels('inc-c', producerOf(PROV))).toHaveLength(16);
    // cps turned false: the IoT layers are no longer labelled and must not linger.
    const noIot = labels(
      a.id,
      a.text,
      all.filter((d) => !['perception', 'communication', 'application'].includes(d)),
    );
    noIot[0].rationale = 'changed';
    t.store.records.saveLabels('inc-c', noIot);
    const got = t.store.records.labels('inc-c', producerOf(PROV));
    expect(got.map((l) => l.dimension).sort()).toEqual(noIot.map((l) => l.dimension).sort());
    const byDim = new Map(got.map((l) => [l.dimension, l]));
    for (const l of noIot) expect(byDim.get(l.dimension)).toEqual(l);
    expect(t.store.records.labels('inc-c', producerOf(OTHER))).toHaveLength(2);
    expect(t.store.counts()).toMatchObject({ labels: 15, citations: 15 });
  });

  it('records.list() gives each incident with its postmortem and labels, per producer or the latest', () => {
    const a = t.store.articles.get('bank1')!,
      c = t.store.articles.get('car')!;
    t.store.incidents.addArticle('inc-a', 'bank1', null, runId);
    t.store.incidents.addArticle('inc-c', 'car', null, runId);
    const pm = postmortem(a.id, a.text, ['Customers could not pay.']);
    t.store.records.savePostmortem('inc-a', pm, PROV);
    t.store.records.saveLabels('inc-a', labels(a.id, a.text, ['phase', 'cps']));
    const recs = t.store.records.list();
    expect(recs.map((r) => r.id)).toEqual(['inc-c', 'inc-a']);
    expect(recs[1]).toEqual({
      id: 'inc-a',
      articleIds: ['bank1'],
      published: a.published,
      title: pm.title,
      postmortem: pm,
      postmortemProvenance: PROV,
      labels: labels(a.id, a.text, ['phase', 'cps']),
    });
    expect(recs[0]).toMatchObject({ id: 'inc-c', articleIds: [c.id], title: '', postmortem: null, labels: [] });
    expect(t.store.records.list(producerOf(OTHER))[1]).toMatchObject({ postmortem: null, labels: [] });
    expect(t.store.records.producers()).toEqual([producerOf(PROV)]);
  });

  it('a damaged row is an error naming its table and field, not a wrong value passed on', () => {
    const c = t.store.articles.get('car')!;
    t.store.incidents.addArticle('inc-c', 'car', null, runId);
    t.store.records.saveLabels('inc-c', labels(c.id, c.text, ['phase']));
    t.store.records.saveScreening('car', screening, PROV);
    const raw = new Database(t.store.path);
    try {
      raw.prepare("UPDATE labels SET options = '[\"design\"' WHERE incident_id = 'inc-c'").run();
      raw.prepare("UPDATE screenings SET is_failure = 7 WHERE article_id = 'car'").run();
    } finally {
      raw.close();
    }
    expect(() => t.store.records.labels('inc-c')).toThrow(/unexpected row in labels: .*not JSON.*options/);
    expect(() => t.store.records.screenings()).toThrow(/unexpected row in screenings: .*isFailure/);
  });

  it('lists every citation with its article text', () => {
    const a = t.store.articles.get('bank1')!;
    t.store.incidents.addArticle('inc-a', 'bank1', null, runId);
    t.store.records.savePostmortem('inc-a', postmortem(a.id, a.text, ['x']), PROV);
    const all = [...t.store.records.citationsWithText()];
    expect(all).toHaveLength(3);
    for (const c of all) if (c.alignment === 'exact') expect(c.text.slice(c.start, c.end)).toBe(c.quote);
    expect(t.store.records.citationCounts()).toEqual({ exact: 2, unaligned: 1 });
  });
});
