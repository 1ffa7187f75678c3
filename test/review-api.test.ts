import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { runPipeline } from '../pipeline/run.ts';
import { Store, producerOf } from '../pipeline/store/store.ts';
import { MIGRATIONS } from '../pipeline/store/migrations.ts';
import { startReviewServer, type ReviewServer } from '../pipeline/review/server.ts';
import { exportGold } from '../pipeline/review/export.ts';
import { labelUncertainty, factUncertainty, type QueueItem } from '../pipeline/review/queue.ts';
import { loadGold } from '../evals/gold.ts';
import { GoldArticle, GoldIncident, type OptionKey, TAXONOMY, type TaxonomyLabel } from '../schemas/index.ts';
import type { ReviewDecision } from '../schemas/review.ts';
import { allFixtures, tempDir } from './fixtures.ts';
import { failscope } from './cli-in-process.ts';

const OTHER = { backend: 'other', model: 'm2', promptHash: 'p2', schemaHash: null, runId: 'run-other' };

let dir: ReturnType<typeof tempDir>;
let dbPath: string;
let store: Store;
let srv: ReviewServer;
let runId: string;
let incidentId: string;
let incidentLabels: TaxonomyLabel[];

async function api(
  path: string,
  init: {
    method?: string;
    body?: unknown;
    raw?: string;
    token?: string | null;
    headers?: Record<string, string>;
    base?: ReviewServer;
  } = {},
) {
  const s = init.base ?? srv;
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.body !== undefined || init.raw !== undefined) headers['content-type'] ??= 'application/json';
  const token = init.token === undefined ? s.token : init.token;
  if (token) headers['x-csrf-token'] = token;
  const res = await fetch(new URL(path, s.url), {
    method: init.method ?? (init.body !== undefined || init.raw !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.raw ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: each test reads the fields its endpoint answers with
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, text, headers: res.headers };
}

const decide = (body: Record<string, unknown>, opts: { token?: string | null; base?: ReviewServer } = {}) =>
  api('/api/decisions', { body: { reviewer: 'Ada', incidentId, kind: 'label', ...body }, ...opts });

let producer: string;
beforeAll(async () => {
  dir = tempDir('failscope-review-');
  dbPath = join(dir.dir, 'review.db');
  store = new Store(dbPath);
  store.articles.insert(allFixtures());
  const backend = new OfflineBackend();
  producer = `offline:${backend.model}`;
  const summary = await runPipeline(store, backend, {
    settings: { backend: backend.name, model: backend.model, concurrency: 2, cache: true },
  });
  runId = summary.runId;
  // The incident with the most articles; a second backend disagrees with it on behaviour, and cites a
  // quote that cannot be found.
  incidentId = store.incidents.list().sort((a, b) => b.articleIds.length - a.articleIds.length)[0].id;
  incidentLabels = store.records.labels(incidentId);
  const behaviour = incidentLabels.find((l) => l.dimension === 'behaviour')!;
  store.records.saveLabels(incidentId, [
    {
      ...behaviour,
      options: behaviour.options.includes('value') ? ['timing'] : ['value'],
      confidence: 0.9,
      citations: [
        {
          articleId: store.incidents.get(incidentId)!.articleIds[0],
          quote: 'words that are in no article',
          start: -1,
          end: -1,
          alignment: 'unaligned',
        },
      ],
      provenance: OTHER,
    },
  ]);
  srv = await startReviewServer({ store, port: 0, reviewer: 'Default Reviewer' });
});

afterAll(async () => {
  await srv?.close();
  store?.close();
  dir?.cleanup();
});

describe('review server: page, assets and security headers', () => {
  it("serves the page with this session's CSRF token and a strict CSP", async () => {
    const r = await api('/');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(r.text).toContain(`<meta name="csrf-token" content="${srv.token}">`);
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('serves the static modules and nothing outside the static folder', async () => {
    const js = await api('/static/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/text\/javascript/);
    expect((await api('/static/style.css')).headers.get('content-type')).toMatch(/text\/css/);
    expect((await api('/static/nope.js')).status).toBe(404);
    expect((await api('/static/..%2fserver.ts')).status).toBe(404);
    expect((await api('/static/%2e%2e/%2e%2e/store/store.ts')).status).toBe(404);
    expect((await api('/elsewhere')).status).toBe(404);
  });

  it('binds to 127.0.0.1 and refuses a foreign Host (DNS rebinding)', async () => {
    expect(new URL(srv.url).hostname).toBe('127.0.0.1');
    const port = Number(new URL(srv.url).port);
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/meta', headers: { host: `evil.example:${port}` } }, (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status.status).toBe(421);
    expect(JSON.parse(status.body).error).toMatch(/does not answer for host "evil.example/);
    expect((await api('/api/meta', { headers: {} })).status).toBe(200);
  });

  it('answers unknown endpoints with 404 and wrong methods with 405, as JSON', async () => {
    const nope = await api('/api/nope');
    expect(nope.status).toBe(404);
    expect(nope.json.error).toMatch(/no such endpoint/);
    const put = await api('/api/decisions', { method: 'PUT', raw: '{}' });
    expect(put.status).toBe(405);
    expect(put.json.error).toMatch(/PUT is not allowed/);
    expect((await api('/api/queue', { method: 'POST', raw: '{}' })).status).toBe(405);
  });
});

describe('GET /api/meta', () => {
  it('gives the taxonomy, backends, runs and the default reviewer', async () => {
    const r = await api('/api/meta');
    expect(r.status).toBe(200);
    expect(r.json.taxonomy.map((d: { key: string }) => d.key)).toEqual(TAXONOMY.map((d) => d.key));
    expect(r.json.producers).toEqual(expect.arrayContaining([producer, 'other:m2']));
    expect(r.json.runs.map((x: { id: string }) => x.id)).toContain(runId);
    expect(r.json.reviewer).toBe('Default Reviewer');
    expect(r.json.postmortemTitles.softwareCauses).toBe('Software Causes');
  });
});

describe('GET /api/queue', () => {
  it('ranks labels and facts by uncertainty, most uncertain first', async () => {
    const r = await api('/api/queue?status=all&limit=10000');
    expect(r.status).toBe(200);
    const items: QueueItem[] = r.json.items;
    expect(items.length).toBe(r.json.total);
    expect(items.some((i) => i.kind === 'label') && items.some((i) => i.kind === 'fact')).toBe(true);
    for (let i = 1; i < items.length; i++) expect(items[i - 1].score).toBeGreaterThanOrEqual(items[i].score);
    // The labels table holds one label per incident, dimension and backend: the queue one item per incident and dimension.
    expect(items.filter((i) => i.kind === 'label').length).toBe(store.counts().labels - 1);
  });

  it('names disagreement between backends, and ranks it above the same label without it', async () => {
    const r = await api('/api/queue?status=all&dimension=behaviour');
    const item: QueueItem = r.json.items.find((i: QueueItem) => i.incidentId === incidentId);
    expect(item.answers.map((a) => a.producer).sort()).toEqual([producer, 'other:m2']);
    expect(item.reasons).toContain('2 backends disagree');
    const alone = labelUncertainty(item.confidence!, 0, item.alignments, item.options!);
    expect(item.score).toBeCloseTo(alone.score + 0.5, 6);
  });

  it('ranks unaligned above fuzzy above exact citations, and low confidence above high', () => {
    const counts = (o: Partial<Record<'exact' | 'normalized' | 'fuzzy' | 'unaligned', number>>) => ({
      exact: 0,
      normalized: 0,
      fuzzy: 0,
      unaligned: 0,
      ...o,
    });
    const exact = labelUncertainty(0.8, 0, counts({ exact: 2 }), ['crash']);
    const fuzzy = labelUncertainty(0.8, 0, counts({ exact: 1, fuzzy: 1 }), ['crash']);
    const lost = labelUncertainty(0.8, 0, counts({ exact: 1, unaligned: 1 }), ['crash']);
    expect(lost.score).toBeGreaterThan(fuzzy.score);
    expect(fuzzy.score).toBeGreaterThan(exact.score);
    expect(labelUncertainty(0.4, 0, counts({ exact: 2 }), ['crash']).score).toBeGreaterThan(exact.score);
    expect(labelUncertainty(0.4, 0, counts({ exact: 2 }), ['crash']).reasons).toContain('low confidence 0.40');
    expect(factUncertainty(counts({ fuzzy: 1 })).reasons).toEqual(['1 fuzzy quote(s)']);
    expect(factUncertainty(counts({})).reasons).toEqual(['no citation']);
  });

  it('filters by dimension, backend, run, kind and incident', async () => {
    const byDim = (await api('/api/queue?status=all&dimension=domain')).json.items as QueueItem[];
    expect(byDim.length).toBe(store.incidents.list().length);
    expect(byDim.every((i) => i.kind === 'label' && i.target === 'domain')).toBe(true);

    const other = (await api('/api/queue?status=all&backend=other:m2')).json.items as QueueItem[];
    expect(other).toHaveLength(1);
    expect(other[0]).toMatchObject({ producer: 'other:m2', target: 'behaviour', runId: 'run-other' });
    expect(other[0].reasons).toContain('1 quote(s) not found in the article');

    const run = (await api(`/api/queue?status=all&run=${runId}&limit=10000`)).json.items as QueueItem[];
    expect(run.length).toBeGreaterThan(0);
    expect(run.every((i) => i.runId === runId)).toBe(true);
    expect(run.some((i) => i.producer === 'other:m2')).toBe(false);

    const facts = (await api('/api/queue?status=all&kind=fact&limit=10000')).json.items as QueueItem[];
    expect(facts.length).toBe(store.counts().facts);
    expect(facts.every((i) => i.kind === 'fact' && typeof i.text === 'string')).toBe(true);

    const one = (await api(`/api/queue?status=all&incident=${incidentId}&limit=10000`)).json.items as QueueItem[];
    expect(one.length).toBeGreaterThan(0);
    expect(one.every((i) => i.incidentId === incidentId)).toBe(true);
  });

  it('refuses bad filters with a 4xx that says what was wrong', async () => {
    const cases: [string, number, RegExp][] = [
      ['dimension=colour', 400, /unknown dimension "colour"/],
      ['backend=nobody:x', 400, /unknown backend "nobody:x"/],
      ['run=run-nope', 400, /unknown run "run-nope"/],
      ['status=later', 400, /unknown status "later"/],
      ['kind=article', 400, /unknown kind "article"/],
      ['limit=-3', 400, /limit must be a whole number/],
      ['dimension=phase&dimension=domain', 400, /given 2 times/],
      ['incident=inc-nope', 404, /unknown incident "inc-nope"/],
    ];
    for (const [q, status, message] of cases) {
      const r = await api(`/api/queue?${q}`);
      expect(r.status, q).toBe(status);
      expect(r.json.error, q).toMatch(message);
    }
  });
});

describe('GET /api/incidents (browse)', () => {
  it('lists every incident with its labels', async () => {
    const r = await api('/api/incidents');
    expect(r.status).toBe(200);
    expect(r.json.total).toBe(store.incidents.list().length);
    expect(r.json.incidents[0]).toHaveProperty('labels.domain');
    expect(Object.keys(r.json.facets)).toEqual(TAXONOMY.map((d) => d.key));
  });

  it('matches every incident whose label HAS the option, multi-label ones included', async () => {
    const records = store.records.list();
    const multi = records.flatMap((rec) => rec.labels.filter((l) => l.options.length > 1).map((l) => ({ rec, l })))[0];
    expect(multi, 'the sample run has a multi-label label').toBeDefined();
    const opt = multi.l.options[1];
    const r = await api(`/api/incidents?option=${multi.l.dimension}:${opt}`);
    const ids = r.json.incidents.map((i: { id: string }) => i.id);
    expect(ids).toContain(multi.rec.id);
    const expected = records
      .filter((rec) => rec.labels.some((l) => l.dimension === multi.l.dimension && l.options.includes(opt)))
      .map((rec) => rec.id);
    expect(ids.sort()).toEqual(expected.sort());
    expect(r.json.facets[multi.l.dimension][opt]).toBe(expected.length);
  });

  it('widens within a dimension and narrows across dimensions', async () => {
    const records = store.records.list();
    const has = (rec: (typeof records)[number], dim: string, o: OptionKey) =>
      rec.labels.some((l) => l.dimension === dim && l.options.includes(o));
    const either = (await api('/api/incidents?option=domain:finance&option=domain:health')).json.incidents
      .map((i: { id: string }) => i.id)
      .sort();
    expect(either).toEqual(
      records
        .filter((r) => has(r, 'domain', 'finance') || has(r, 'domain', 'health'))
        .map((r) => r.id)
        .sort(),
    );
    const both = (await api('/api/incidents?option=domain:finance&option=objective:malicious')).json.incidents
      .map((i: { id: string }) => i.id)
      .sort();
    expect(both).toEqual(
      records
        .filter((r) => has(r, 'domain', 'finance') && has(r, 'objective', 'malicious'))
        .map((r) => r.id)
        .sort(),
    );
  });

  it('searches titles, summaries and article text', async () => {
    const car = (await api('/api/incidents?q=wheel%20speed%20SENSOR')).json.incidents.map((i: { id: string }) => i.id);
    const carIncident = store.incidents.membership().get('car');
    expect(car).toEqual([carIncident]);
    expect((await api('/api/incidents?q=zzzz-not-anywhere')).json.total).toBe(0);
  });

  it('refuses malformed, unknown and invalid option filters', async () => {
    expect((await api('/api/incidents?option=domain')).json.error).toMatch(/"<dimension>:<option>"/);
    const dim = await api('/api/incidents?option=colour:red');
    expect(dim.status).toBe(400);
    expect(dim.json.error).toMatch(/unknown dimension "colour"/);
    const opt = await api('/api/incidents?option=domain:space');
    expect(opt.status).toBe(400);
    expect(opt.json.error).toMatch(/invalid option "space" for dimension "domain"/);
  });
});

describe('GET /api/incidents/:id', () => {
  it("gives the articles in full, every backend's labels, the facts and their citations", async () => {
    const r = await api(`/api/incidents/${incidentId}`);
    expect(r.status).toBe(200);
    expect(r.json.articles.map((a: { id: string }) => a.id)).toEqual(store.incidents.get(incidentId)!.articleIds);
    const texts = new Map(r.json.articles.map((a: { id: string; text: string }) => [a.id, a.text]));
    expect(
      r.json.labels
        .filter((l: { dimension: string }) => l.dimension === 'behaviour')
        .map((l: { producer: string }) => l.producer)
        .sort(),
    ).toEqual([producer, 'other:m2']);
    expect(r.json.facts.length).toBeGreaterThan(0);
    for (const f of r.json.facts)
      for (const c of f.citations)
        if (c.alignment === 'exact') expect((texts.get(c.articleId) as string).slice(c.start, c.end)).toBe(c.quote);
  });

  it('404s an unknown incident', async () => {
    const r = await api('/api/incidents/inc-does-not-exist');
    expect(r.status).toBe(404);
    expect(r.json.error).toBe('unknown incident "inc-does-not-exist"');
  });
});

describe('POST /api/decisions', () => {
  it('needs the CSRF token: none, wrong, or from another origin is 403', async () => {
    const before = store.review.list().length;
    const none = await decide({ target: 'phase', action: 'accept' }, { token: null });
    expect(none.status).toBe(403);
    expect(none.json.error).toMatch(/missing CSRF token/);
    const wrong = await decide({ target: 'phase', action: 'accept' }, { token: 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error).toMatch(/invalid CSRF token/);
    const cross = await api('/api/decisions', {
      body: { reviewer: 'Ada', incidentId, kind: 'label', target: 'phase', action: 'accept' },
      headers: { origin: 'http://evil.example' },
    });
    expect(cross.status).toBe(403);
    expect(cross.json.error).toMatch(/cross-origin request from http:\/\/evil.example refused/);
    expect(store.review.list().length).toBe(before);
  });

  it('refuses bad bodies: not JSON, wrong type, too large, empty', async () => {
    const bad = await api('/api/decisions', { raw: '{"incidentId": ' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/not valid JSON/);
    const type = await api('/api/decisions', { raw: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(type.status).toBe(415);
    expect(type.json.error).toMatch(/must be JSON/);
    const big = await api('/api/decisions', { raw: JSON.stringify({ note: 'x'.repeat(70_000) }) });
    expect(big.status).toBe(413);
    const empty = await api('/api/decisions', { raw: '' });
    expect(empty.status).toBe(400);
    const array = await api('/api/decisions', { body: [1, 2] });
    expect(array.status).toBe(400);
    expect(array.json.error).toMatch(/invalid decision/);
  });

  it('refuses decisions the taxonomy or the store does not allow, naming the problem', async () => {
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ target: 'colour', action: 'accept' }, 400, /unknown dimension "colour"/],
      [
        { target: 'behaviour', action: 'change', options: ['crash', 'explode'] },
        400,
        /invalid option\(s\) "explode" for dimension "behaviour"/,
      ],
      [{ target: 'behaviour', action: 'change', options: ['crash', 'unknown'] }, 400, /"unknown" cannot be combined/],
      [{ target: 'cps', action: 'change', options: ['true', 'false'] }, 400, /true\/false: choose exactly one/],
      [{ target: 'behaviour', action: 'change', options: [] }, 400, /needs options/],
      [{ target: 'behaviour', action: 'note' }, 400, /needs a non-empty note/],
      [{ target: 'behaviour', action: 'approve' }, 400, /invalid decision: action/],
      [{ target: 'behaviour', action: 'accept', reviewer: '  ' }, 400, /reviewer name is required/],
      [{ target: 'behaviour', action: 'accept', extra: 1 }, 400, /invalid decision/],
      [{ target: 'behaviour', action: 'accept', incidentId: 'inc-nope' }, 404, /unknown incident "inc-nope"/],
      [{ target: 'behaviour', action: 'accept', producer: 'nobody:x' }, 404, /backend "nobody:x" has no "behaviour" label/],
      [{ kind: 'fact', target: 'colour:0', action: 'accept' }, 400, /a fact target is "<field>:<index>"/],
      [{ kind: 'fact', target: 'impacts:999', action: 'accept' }, 404, /has no fact impacts:999/],
      [{ kind: 'fact', target: 'impacts:0', action: 'change', text: ' ' }, 400, /needs the corrected text/],
      [{ kind: 'fact', target: 'impacts:0', action: 'change', options: ['x'] }, 400, /takes text, not options/],
    ];
    const before = store.review.list().length;
    for (const [body, status, message] of cases) {
      const r = await decide(body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.json.error, JSON.stringify(body)).toMatch(message);
    }
    expect(store.review.list().length).toBe(before);
  });

  it('stores accept, change, unknown and notes on labels with reviewer, time and the label it was made against', async () => {
    const phase = incidentLabels.find((l) => l.dimension === 'phase')!;
    const accepted = await decide({ target: 'phase', action: 'accept', reviewer: 'Ada' });
    expect(accepted.status).toBe(201);
    const d: ReviewDecision = accepted.json.decision;
    expect(d).toMatchObject({
      incidentId,
      kind: 'label',
      target: 'phase',
      action: 'accept',
      options: phase.options,
      reviewer: 'Ada',
      producer: producer,
    });
    expect(d.snapshot).toMatchObject({ producer: producer, options: phase.options, confidence: phase.confidence, runId });
    expect(Date.parse(d.createdAt)).not.toBeNaN();

    // Options come back in the taxonomy's order, whatever order they were sent in.
    const changed = await decide({
      target: 'behaviour',
      producer: producer,
      action: 'change',
      options: ['value', 'crash'],
      reviewer: 'Bo',
    });
    expect(changed.status).toBe(201);
    expect(changed.json.decision.options).toEqual(['crash', 'value']);
    const unknown = await decide({ target: 'intent', action: 'unknown' });
    expect(unknown.json.decision.options).toEqual(['unknown']);
    const note = await decide({ target: 'behaviour', action: 'note', note: 'The articles say it also leaked data.' });
    expect(note.status).toBe(201);

    const latest = store.review.latest(incidentId);
    expect(latest.find((x) => x.target === 'behaviour')).toMatchObject({ action: 'change', options: ['crash', 'value'], reviewer: 'Bo' });
    const history = await api(`/api/decisions?incident=${incidentId}`);
    expect(history.json.decisions.filter((x: ReviewDecision) => x.target === 'behaviour').map((x: ReviewDecision) => x.action)).toEqual([
      'change',
      'note',
    ]);
    expect((await api('/api/decisions?incident=inc-nope')).status).toBe(404);

    // The queue shows the decision; "open" no longer lists the item, "reviewed" does.
    const open = (await api(`/api/queue?incident=${incidentId}&dimension=behaviour`)).json;
    expect(open.items).toHaveLength(0);
    const reviewed = (await api(`/api/queue?incident=${incidentId}&dimension=behaviour&status=reviewed`)).json.items as QueueItem[];
    expect(reviewed[0].decision).toMatchObject({ action: 'change', options: ['crash', 'value'] });
  });

  it('stores decisions on facts: accept, correct, unsupported', async () => {
    const pm = store.records.postmortem(incidentId, producer)!.postmortem;
    const field = (['impacts', 'softwareCauses', 'system', 'time'] as const).find((f) => pm[f].length >= 2)!;
    const a = await decide({ kind: 'fact', target: `${field}:0`, action: 'accept' });
    expect(a.status).toBe(201);
    expect(a.json.decision).toMatchObject({ kind: 'fact', text: pm[field][0].text, producer: producer });
    const c = await decide({ kind: 'fact', target: `${field}:1`, action: 'change', text: "The corrected fact, in the reviewer's words." });
    expect(c.json.decision.text).toBe("The corrected fact, in the reviewer's words.");
    expect(c.json.decision.snapshot.text).toBe(pm[field][1].text);
    const u = await decide({ kind: 'fact', target: 'time:0', action: 'unknown' });
    expect(u.status).toBe(201);
    expect(u.json.decision.text).toBeNull();
  });

  it('never loses a decision when many arrive at once, through one server or two on the same database', async () => {
    const before = store.review.list().length;
    const second = new Store(dbPath);
    const srv2 = await startReviewServer({ store: second, port: 0 });
    try {
      const dims = TAXONOMY.filter((d) => !d.iotOnly).map((d) => d.key);
      const posts = Array.from({ length: 80 }, (_, i) =>
        decide(
          { target: dims[i % dims.length], action: i % 3 ? 'accept' : 'unknown', reviewer: `reviewer-${i}` },
          { base: i % 2 ? srv2 : srv },
        ),
      );
      const results = await Promise.all(posts);
      expect(results.map((r) => r.status)).toEqual(Array(80).fill(201));
      const ids = results.map((r) => r.json.decision.id);
      expect(new Set(ids).size).toBe(80);
      const stored = store.review.list();
      expect(stored.length).toBe(before + 80);
      expect(new Set(stored.filter((d) => d.reviewer.startsWith('reviewer-')).map((d) => d.reviewer)).size).toBe(80);
    } finally {
      await srv2.close();
      second.close();
    }
  });
});

describe('GET /api/agreement', () => {
  it('compares the model with the reviewer per dimension, against the label each decision saw', async () => {
    const r = await api('/api/agreement');
    expect(r.status).toBe(200);
    const latest = store.review.latest().filter((d) => d.kind === 'label');
    for (const dim of r.json.dimensions) {
      const ds = latest.filter((d) => d.target === dim.dimension && d.snapshot?.options);
      const agreed = ds.filter((d) => [...d.options!].sort().join() === [...d.snapshot!.options!].sort().join()).length;
      expect(dim.reviewed, dim.dimension).toBe(ds.length);
      expect(dim.agreed, dim.dimension).toBe(agreed);
    }
    const phase = r.json.dimensions.find((d: { dimension: string }) => d.dimension === 'phase');
    expect(phase.reviewed).toBeGreaterThan(0);
    expect(r.json.reviewers).toEqual(expect.arrayContaining(['Ada', 'Bo']));
    expect(r.json.facts.reviewed).toBeGreaterThanOrEqual(3);
  });
});

describe('gold export', () => {
  it('writes reviewed decisions as gold records that the eval harness reads', async () => {
    const out = join(dir.dir, 'gold');
    const r = exportGold(store, out);
    expect(r.files.map((f) => f.split('/').pop())).toEqual(['incidents.jsonl', 'articles.jsonl']);
    const gold = await loadGold(out);
    expect(gold.problems).toEqual([]);
    expect(gold.incidents.length).toBe(r.incidents);
    expect(gold.incidents.length).toBe(new Set(store.review.latest().map((d) => d.incidentId)).size);
    for (const line of readFileSync(join(out, 'incidents.jsonl'), 'utf8').trim().split('\n')) GoldIncident.parse(JSON.parse(line));
    for (const line of readFileSync(join(out, 'articles.jsonl'), 'utf8').trim().split('\n')) GoldArticle.parse(JSON.parse(line));

    const inc = gold.incidents.find((i) => i.id === incidentId)!;
    const latest = store.review.latest(incidentId);
    const reviewedDims = new Set(latest.filter((d) => d.kind === 'label').map((d) => d.target));
    for (const dim of TAXONOMY.map((d) => d.key) as (keyof typeof inc.gold.taxonomy)[]) {
      const d = latest.find((x) => x.kind === 'label' && x.target === dim);
      if (d) expect(inc.gold.taxonomy[dim], dim).toEqual(d.options);
      else expect(inc.gold.taxonomy[dim] ?? null, dim).toBeNull();
    }
    expect(reviewedDims.size).toBeGreaterThan(0);
    // The corrected fact is in the gold postmortem; the one marked unsupported is not.
    const allFacts = Object.values(inc.gold.postmortem).filter(Boolean).join('\n');
    expect(allFacts).toContain("The corrected fact, in the reviewer's words.");
    expect(inc.gold.postmortem.time).toBe(
      latest.some((d) => d.kind === 'fact' && d.target.startsWith('time:') && d.text) ? expect.any(String) : 'unknown',
    );
    expect(
      gold.articles
        .filter((a) => a.gold.incidentId === incidentId)
        .map((a) => a.id)
        .sort(),
    ).toEqual([...store.incidents.get(incidentId)!.articleIds].sort());
    expect(gold.articles.every((a) => a.gold.isFailure === undefined)).toBe(true);
  });

  it("falls back to the model's labels only with includeUnreviewed", async () => {
    const out = join(dir.dir, 'gold-all');
    exportGold(store, out, { includeUnreviewed: true });
    const gold = await loadGold(out);
    const inc = gold.incidents.find((i) => i.id === incidentId)!;
    const model = new Map(store.records.labels(incidentId, producer).map((l) => [l.dimension, l.options]));
    expect(inc.gold.taxonomy.domain).toEqual(
      store.review.latest(incidentId).find((d) => d.target === 'domain')?.options ?? model.get('domain'),
    );
    const cps = inc.gold.taxonomy.cps;
    if (cps?.[0] === 'false') expect(inc.gold.taxonomy.perception ?? null).toBeNull();
    expect(Object.values(inc.gold.taxonomy).filter((v) => v === null || v === undefined).length).toBeLessThan(TAXONOMY.length);
  });

  it('`failscope review export` writes the files from the CLI; `failscope review` prints its URL', async () => {
    const out = join(dir.dir, 'gold-cli');
    const cli = await failscope('review', 'export', '--db', dbPath, '--out', out);
    expect(cli.code).toBe(0);
    expect(cli.stderr.split('\n')[0]).toMatch(/backend offline/);
    expect(cli.stdout).toMatch(/wrote \d+ gold incident\(s\)/);
    expect(cli.stderr.split('\n')[0]).toContain(dbPath);
    expect((await loadGold(out)).incidents.length).toBeGreaterThan(0);

    const child = spawn(process.execPath, ['bin/failscope.js', 'review', '--db', dbPath, '--port', '0', '--reviewer', 'Cy'], {
      cwd: process.cwd(),
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (c) => {
          text += c;
          const m = /review page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const meta = await (await fetch(new URL('/api/meta', url))).json();
      expect(meta.reviewer).toBe('Cy');
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('store: review migration', () => {
  it('applies migration 3 to a database that already holds a later migration', () => {
    const file = join(dir.dir, 'later.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((m) => m.version !== 3)) {
      raw.exec(m.sql);
      raw.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'then');
    }
    raw.close();
    const s = new Store(file);
    try {
      expect(s.review.list()).toEqual([]);
      expect(producerOf(OTHER)).toBe('other:m2');
    } finally {
      s.close();
    }
  });
});
