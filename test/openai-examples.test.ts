import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Config, type GoldArticle, type GoldIncident } from '../schemas/index.ts';
import { loadConfig } from '../pipeline/config.ts';
import { createBackend } from '../pipeline/backends/index.ts';
import { toArticle } from '../pipeline/ingest/article.ts';
import { ingest } from '../pipeline/ingest/ingest.ts';
import { runPipeline } from '../pipeline/run.ts';
import { examplePool, type ExamplePool } from '../pipeline/examples/pool.ts';
import { examplesBlock } from '../pipeline/backends/openai/examples.ts';
import { PROMPTS_DIR } from '../pipeline/backends/openai/prompts.ts';
import { SPECS } from '../pipeline/backends/openai/engine.ts';
import { tokenCounter } from '../pipeline/backends/openai/tokens.ts';
import { splitFacts } from '../evals/facts.ts';
import { startFakeOpenAI, type FakeOpenAI, type FakeRequest } from '../evals/servers/fake-openai.ts';
import { callContext, testBackend } from './openai-helpers.ts';
import { tempDir, tempStore } from './fixtures.ts';

const ROOT = join(import.meta.dirname, '..');
const SAMPLE = join(ROOT, 'data', 'sample');
const count = tokenCounter('gpt-4o-mini');

// Articles and records written for these tests; every place, firm and event is invented.
const LIFT_TEXT =
  'Dozens of office workers were stranded in lifts at the Torvale tower on Tuesday after an overnight firmware update to the lift controllers went wrong. ' +
  'The operator said the update left the elevator cars stuck between floors for up to two hours. Technicians rolled the firmware back by midday.';
const QUERY = [
  toArticle({ id: 'q-1', headline: 'Lift firmware update strands riders in Torvale office tower', text: LIFT_TEXT, origin: 'test' }),
  toArticle({
    id: 'q-2',
    headline: 'Torvale tower lifts back in service after firmware rollback',
    origin: 'test',
    text: 'The lifts at Torvale tower are running again after engineers reinstalled the previous controller firmware, the operator said. Riders trapped on Tuesday were freed by firefighters.',
  }),
];
const QUERY_INCIDENT = { id: 'inc-query', articleIds: QUERY.map((a) => a.id), published: null };

const GATES = {
  headline: 'Firmware update freezes ticket gates at Dunmore station',
  text: 'A firmware update to ticket gates froze the barriers at Dunmore station on Monday morning, and staff waved commuters through until the update was rolled back.',
};
const ARTICLES: Omit<GoldArticle, 'gold'>[] = [
  {
    id: 'p-lift-a',
    headline: 'Elevator firmware fault traps passengers at Marrow Heights',
    text: 'Passengers were trapped in elevators at the Marrow Heights apartment block after a firmware update to the lift controllers froze the cars between floors. Firefighters freed the riders and technicians rolled back the update.',
  },
  { id: 'p-tie-a-1', ...GATES },
  { id: 'p-tie-b-1', ...GATES },
  {
    id: 'p-bakery-a',
    headline: 'Oven app glitch burns bread at Kesby bakery',
    text: "A scheduling app for commercial ovens ran the heating cycle twice at a Kesby bakery, burning a day's bread. The app maker issued a fix.",
  },
  // The query's own article under another id, and another article under the query's second id.
  { id: 'p-self-a', headline: 'Lift firmware update strands riders in Torvale office tower', text: LIFT_TEXT },
  {
    id: 'q-2',
    headline: 'Lift controllers at Torvale tower fail after firmware update',
    text: 'Lift controllers at the Torvale tower failed after a firmware update and riders were stranded between floors until firefighters arrived.',
  },
];

const numbered = (facts: string[]) => facts.map((f, i) => `${i + 1}. ${f}`).join('\n');
function record(id: string, articleIds: string[], facts: number): GoldIncident {
  return {
    id,
    articleIds,
    gold: {
      postmortem: {
        system: numbered([`marker-${id} controllers`]),
        softwareCauses: numbered([`A faulty firmware update (marker-${id})`]),
        impacts: numbered(
          Array.from({ length: facts }, (_, i) => `Impact ${i + 1} of marker-${id}: riders or customers waited for a repair crew`),
        ),
        preventions: null,
      },
      taxonomy: {
        phase: ['operation'],
        dimension: ['software'],
        cps: ['true'],
        perception: ['embedded_software'],
        behaviour: id === 'p-bakery' ? ['value'] : ['crash'],
      },
    },
  };
}
const INCIDENTS = [
  record('p-lift', ['p-lift-a'], 12),
  record('p-tie-b', ['p-tie-b-1'], 1),
  record('p-tie-a', ['p-tie-a-1'], 1),
  record('p-bakery', ['p-bakery-a'], 1),
  record('p-self', ['p-self-a'], 1),
  record('p-shared', ['q-2'], 1),
];

function writeGold(dir: string, incidents: GoldIncident[], articles = ARTICLES, extraLines = ''): string {
  mkdirSync(dir, { recursive: true });
  const jsonl = (rows: unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  writeFileSync(
    join(dir, 'articles.jsonl'),
    jsonl(articles.filter((a) => incidents.some((i) => i.articleIds.includes(a.id))).map((a) => ({ ...a, gold: {} }))),
  );
  writeFileSync(join(dir, 'incidents.jsonl'), jsonl(incidents) + extraLines);
  return dir;
}

/** Which pool incidents a text shows, in order of appearance. */
const markersIn = (text: string) => [
  ...new Set([...text.matchAll(/marker-(p-(?:lift|tie-a|tie-b|bakery|self|shared))/g)].map((m) => m[1])),
];
const userOf = (r: FakeRequest) => r.body.messages.find((m) => m.role === 'user')!.content;
const systemOf = (r: FakeRequest) => r.body.messages.find((m) => m.role === 'system')!.content;

const tmp = tempDir('failscope-examples-');
let pool: ExamplePool;
let server: FakeOpenAI;
beforeAll(async () => {
  pool = await examplePool([writeGold(join(tmp.dir, 'pool'), INCIDENTS)]);
  server = await startFakeOpenAI();
});
afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

describe('example pool', () => {
  it('ranks the most similar first, ties by id, and never offers an incident sharing an article id or text with the query', () => {
    expect(pool.size).toBe(6);
    const ranked = pool.nearest({ id: QUERY_INCIDENT.id, articles: QUERY });
    // p-self holds q-1's text under another id and p-shared holds an article with q-2's id: both would rank first.
    expect(ranked.map((n) => n.incident.id)).toEqual(['p-lift', 'p-tie-a', 'p-tie-b', 'p-bakery']);
    expect(ranked[1].similarity).toBe(ranked[2].similarity);
    expect(ranked[0].similarity).toBeGreaterThan(ranked[1].similarity);
    expect(ranked[0].shared).toHaveLength(4);
    expect(ranked[0].shared).toEqual(expect.arrayContaining(['lift', 'riders']));
    // ...nor one with the query's own incident id.
    expect(pool.nearest({ id: 'p-lift', articles: QUERY }).map((n) => n.incident.id)).not.toContain('p-lift');
  });

  it('holds out excluded incidents and every incident with an excluded article, for cross-fitting', () => {
    const held = pool.without({ incidents: ['p-lift'], articles: ['p-bakery-a'] });
    expect(held.incidents.map((i) => i.id).sort()).toEqual(['p-self', 'p-shared', 'p-tie-a', 'p-tie-b']);
    expect(held.hash).not.toBe(pool.hash);
    expect(pool.size).toBe(6);
    expect(pool.without({}).hash).toBe(pool.hash);
  });

  it('hashes content, not paths or reading order; a later directory replaces an incident id and says so', async () => {
    const a = writeGold(join(tmp.dir, 'split-a'), INCIDENTS.slice(0, 3)),
      b = writeGold(join(tmp.dir, 'split-b'), INCIDENTS.slice(3));
    expect((await examplePool([a, b])).hash).toBe(pool.hash);
    expect((await examplePool([b, a])).hash).toBe(pool.hash);
    const fix = writeGold(join(tmp.dir, 'fix'), [{ ...INCIDENTS[3], gold: { ...INCIDENTS[3].gold, taxonomy: { phase: ['design'] } } }]);
    const fixed = await examplePool([join(tmp.dir, 'pool'), fix]);
    expect(fixed.size).toBe(6);
    expect(fixed.hash).not.toBe(pool.hash);
    expect(fixed.incidents.find((i) => i.id === 'p-bakery')!.gold.taxonomy).toEqual({ phase: ['design'] });
    expect(fixed.problems).toEqual([
      { origin: join(fix, 'incidents.jsonl'), reason: expect.stringMatching(/incident "p-bakery" replaces the one read from .*pool/) },
    ]);
  });

  it('leaves out bad lines with their file and line, and refuses a directory without labelled incidents', async () => {
    const dir = writeGold(join(tmp.dir, 'bad'), INCIDENTS.slice(0, 2), ARTICLES, '{"id": "broken"\n');
    const p = await examplePool([dir]);
    expect(p.size).toBe(2);
    expect(p.problems[0]).toMatchObject({ origin: `${join(dir, 'incidents.jsonl')}:3`, reason: expect.stringMatching(/malformed JSON/) });
    const empty = writeGold(join(tmp.dir, 'empty'), []);
    await expect(examplePool([empty])).rejects.toThrow(`${join(empty, 'incidents.jsonl')}: no labelled incidents to use as examples`);
  });
});

describe('examples block', () => {
  const ranked = () => pool.nearest({ articles: QUERY });

  it('shows each example whole: classify a summary and the option keys, extract every gold fact per field, each with a reason', () => {
    const c = examplesBlock('classify', ranked(), { k: 1, maxTokens: 2000 }, count).text;
    expect(c).toContain('Example 1 (shares: ');
    expect(c).toContain('summary: marker-p-lift controllers · A faulty firmware update (marker-p-lift) · Impact 1 of marker-p-lift');
    expect(c).toContain('labels: phase: operation | dimension: software | behaviour: crash | cps: true | perception: embedded_software');
    const e = examplesBlock('extract', ranked(), { k: 1, maxTokens: 2000 }, count).text;
    expect(e).toContain(`impacts: ${splitFacts(INCIDENTS[0].gold.postmortem.impacts).join(' | ')}`);
    expect(e).not.toMatch(/preventions:|summary:/);
    // The pool's article text is never shown.
    expect(c + e).not.toContain('Marrow Heights');
  });

  it('stays within maxTokens by leaving out whole examples, never cutting one', () => {
    const onlyTieA = examplesBlock(
      'extract',
      ranked().filter((n) => n.incident.id === 'p-tie-a'),
      { k: 1, maxTokens: 10_000 },
      count,
    ).text;
    const maxTokens = count(onlyTieA);
    const b = examplesBlock('extract', ranked(), { k: 3, maxTokens }, count);
    // p-lift (twelve impacts) does not fit, so it is left out and the next one is tried; p-tie-b no longer fits beside p-tie-a.
    expect(b.shown.map((n) => n.incident.id)).toEqual(['p-tie-a']);
    expect(b.text).toBe(onlyTieA);
    expect(markersIn(b.text)).toEqual(['p-tie-a']);
    for (const limit of [maxTokens - 1, 20]) {
      const smaller = examplesBlock('extract', ranked(), { k: 3, maxTokens: limit }, count);
      expect(count(smaller.text)).toBeLessThanOrEqual(limit);
      expect(smaller.text.includes('marker-p-tie-a')).toBe(false);
    }
    expect(examplesBlock('extract', ranked(), { k: 3, maxTokens: 20 }, count).text).toBe('');
  });
});

describe('examples in the openai prompts', () => {
  const examples = { dirs: ['unused: the pool is passed in'], k: 3, maxTokens: 4000 };

  async function extractAndClassify(p: ExamplePool | undefined, over: Record<string, unknown> = {}, cache = true) {
    const t = tempStore();
    try {
      const { backend } = testBackend(server.url, p ? { examples, ...over } : over, { examples: p, cache });
      const before = server.requests.length;
      const ctx = callContext(t.store, QUERY_INCIDENT.id);
      await backend.extract(QUERY_INCIDENT, QUERY, ctx);
      await backend.classify(QUERY_INCIDENT, QUERY, null, ctx);
      return { backend, requests: server.requests.slice(before) };
    } finally {
      t.cleanup();
    }
  }

  it('carry the k most similar examples after the static instructions and before the articles, in a stable order', async () => {
    const plain = await extractAndClassify(undefined);
    const a = await extractAndClassify(pool, {}, false);
    const b = await extractAndClassify(pool, {}, false);
    expect(a.requests.map((r) => r.format)).toEqual(['extract', 'classify']);
    for (const [i, r] of a.requests.entries()) {
      // The system message, the part a provider caches, is the same with or without examples.
      expect(systemOf(r)).toBe(systemOf(plain.requests[i]));
      const user = userOf(r);
      expect(markersIn(user)).toEqual(['p-lift', 'p-tie-a', 'p-tie-b']);
      expect(user.indexOf('Examples: 3 other incident(s)')).toBeGreaterThan(user.indexOf('The incident is reported by'));
      expect(user.indexOf('<<<END EXAMPLES')).toBeLessThan(user.indexOf('<<<BEGIN ARTICLE 1'));
      expect(userOf(plain.requests[i])).toBe(user.replace(/Examples: [\s\S]*<<<END EXAMPLES[^\n]*\n\n/, ''));
      expect(r.articleIds).toEqual(['q-1', 'q-2']);
    }
    expect(b.requests.map(userOf)).toEqual(a.requests.map(userOf));
  });

  it('put the pool in the prompt hash of extract and classify only, and in the cache key', async () => {
    const plain = testBackend(server.url).backend;
    const withPool = testBackend(server.url, { examples }, { examples: pool }).backend;
    const otherPool = testBackend(server.url, { examples }, { examples: pool.without({ incidents: ['p-bakery'] }) }).backend;
    const otherK = testBackend(server.url, { examples: { ...examples, k: 2 } }, { examples: pool }).backend;
    for (const t of ['extract', 'classify'] as const) {
      expect(new Set([plain, withPool, otherPool, otherK].map((x) => x.promptHash(t))).size).toBe(4);
    }
    for (const t of ['screen', 'group'] as const) expect(withPool.promptHash(t)).toBe(plain.promptHash(t));

    // The same messages under another pool are asked again; under the same pool they come from the cache.
    const t = tempStore();
    try {
      const ctx = callContext(t.store);
      const messages = [
        { role: 'system' as const, content: 'Screen.' },
        { role: 'user' as const, content: 'text' },
      ];
      const canned = JSON.stringify({
        failedSystem: null,
        cause: null,
        impact: null,
        isFailure: true,
        analyzable: false,
        confidence: 0.5,
        rationale: 'canned',
      });
      server.override = () => canned;
      const before = server.requests.length;
      const spec = { ...SPECS.screen, maxTokens: 100 };
      for (const examplePool of ['pool-1', 'pool-1', 'pool-2', undefined])
        await withPool.chat.complete(messages, { ...spec, examplePool }, ctx);
      expect(server.requests.length - before).toBe(3);
    } finally {
      server.override = null;
      t.cleanup();
    }
  });

  it('an unchanged pool re-sends nothing, a changed one asks again', async () => {
    const t = tempStore();
    try {
      const run = async (p: ExamplePool) => {
        const { backend } = testBackend(server.url, { examples }, { examples: p });
        const before = server.requests.length;
        const ctx = callContext(t.store, QUERY_INCIDENT.id);
        await backend.extract(QUERY_INCIDENT, QUERY, ctx);
        return server.requests.length - before;
      };
      expect(await run(pool)).toBe(1);
      expect(await run(await examplePool([join(tmp.dir, 'pool')]))).toBe(0);
      expect(await run(pool.without({ incidents: ['p-bakery'] }))).toBe(1);
    } finally {
      t.cleanup();
    }
  });

  it('leave less room for articles, and refuse a template that has no place for them', () => {
    const plain = testBackend(server.url).backend,
      withPool = testBackend(server.url, { examples }, { examples: pool }).backend;
    const block = 'x '.repeat(500);
    const engineOf = (b: typeof plain) => (b as unknown as { engine: { articleBudget(n: string, e?: string): number } }).engine;
    expect(engineOf(withPool).articleBudget('extract', block)).toBe(engineOf(plain).articleBudget('extract') - count(block));
    const d = tempDir('failscope-examples-prompts-');
    try {
      cpSync(PROMPTS_DIR, d.dir, { recursive: true });
      const file = join(d.dir, 'classify.md');
      writeFileSync(file, readFileSync(file, 'utf8').replace('{{examples}}', ''));
      expect(() => testBackend(server.url, { promptsDir: d.dir }).backend).not.toThrow();
      expect(() => testBackend(server.url, { promptsDir: d.dir, examples }, { examples: pool })).toThrow(
        `${d.dir}/classify.md: openai.examples is set, but the user section has no {{examples}}`,
      );
      expect(() => testBackend(server.url, { examples })).toThrow(/no example pool was loaded/);
    } finally {
      d.cleanup();
    }
  });
});

describe('openai.examples in the config', () => {
  it("reads relative dirs from the config file's folder and validates the section", () => {
    const d = tempDir('failscope-examples-config-');
    try {
      const file = join(d.dir, 'failscope.config.json');
      writeFileSync(file, JSON.stringify({ openai: { examples: { dirs: ['gold', '/abs/gold'] } } }));
      expect(loadConfig(file).openai.examples).toEqual({ dirs: [join(d.dir, 'gold'), '/abs/gold'], k: 3, maxTokens: 2000 });
      writeFileSync(file, JSON.stringify({ openai: { examples: { dirs: [], k: 0 } } }));
      expect(() => loadConfig(file)).toThrow(new RegExp(`${file}: openai.examples.dirs: .*; openai.examples.k: `));
      expect(Config.parse({}).openai.examples).toBeNull();
    } finally {
      d.cleanup();
    }
  });

  it('makes createBackend load the pool and report what it left out', async () => {
    const dir = writeGold(join(tmp.dir, 'configured'), INCIDENTS.slice(0, 2), ARTICLES, 'not json\n');
    const problems: { origin: string; reason: string }[] = [];
    const config = Config.parse({ openai: { baseURL: server.url, examples: { dirs: [dir] } } });
    const backend = await createBackend({ backend: 'openai', config, onProblem: (p) => problems.push(p) });
    expect(backend.promptHash('extract')).not.toBe(
      (await createBackend({ backend: 'openai', config: Config.parse({ openai: { baseURL: server.url } }) })).promptHash('extract'),
    );
    expect(problems).toEqual([{ origin: `${join(dir, 'incidents.jsonl')}:3`, reason: expect.stringMatching(/malformed JSON/) }]);
  });
});

describe('examples through the whole pipeline', () => {
  it("with the sample's own gold as the pool, no incident is ever shown its own labels, and a re-run sends nothing", async () => {
    const t = tempStore();
    try {
      // Four of the sample's incidents keep the run short; the pool is the whole sample.
      const lines = readFileSync(join(SAMPLE, 'articles.jsonl'), 'utf8').split('\n').filter(Boolean);
      const goldOf = new Map<string, string>();
      const kept = lines.filter((line) => {
        const a = JSON.parse(line) as GoldArticle;
        if (a.gold.incidentId) goldOf.set(a.id, a.gold.incidentId);
        return ['s-inc-01', 's-inc-02', 's-inc-03', 's-inc-04'].includes(a.gold.incidentId ?? '');
      });
      writeFileSync(join(t.dir, 'part.jsonl'), `${kept.join('\n')}\n`);
      await ingest(t.store, [join(t.dir, 'part.jsonl')]);
      const sample = await examplePool([SAMPLE]);
      const systemFact = new Map(sample.incidents.map((i) => [i.id, splitFacts(i.gold.postmortem.system)[0]]));
      const settings = { backend: 'openai', model: 'gpt-4o-mini', concurrency: 4, cache: true };
      const { backend } = testBackend(server.url, { examples: { dirs: [SAMPLE], k: 2, maxTokens: 2500 } }, { examples: sample });
      const before = server.requests.length;
      const s = await runPipeline(t.store, backend, { settings });
      expect(s.failedJobs).toBe(0);
      const prompts = server.requests.slice(before).filter((r) => r.format === 'extract' || r.format === 'classify');
      expect(prompts.length).toBeGreaterThanOrEqual(2 * s.incidents);
      let shown = 0;
      for (const r of prompts) {
        const user = userOf(r);
        const block = user.slice(0, user.indexOf('<<<BEGIN ARTICLE'));
        shown += (block.match(/^Example \d/gm) ?? []).length;
        // The summary (classify) and the system facts (extract) both begin with the incident's first system fact.
        for (const id of r.articleIds) if (goldOf.has(id)) expect(block).not.toContain(systemFact.get(goldOf.get(id)!)!);
      }
      expect(shown).toBeGreaterThanOrEqual(prompts.length);
      const again = server.requests.length;
      const { backend: fresh } = testBackend(
        server.url,
        { examples: { dirs: [SAMPLE], k: 2, maxTokens: 2500 } },
        { examples: await examplePool([SAMPLE]) },
      );
      await runPipeline(t.store, fresh, { settings });
      expect(server.requests.length).toBe(again);
    } finally {
      t.cleanup();
    }
  });
});
