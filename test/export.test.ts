import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { runPipeline } from '../pipeline/run.ts';
import { FORMATS, render } from '../pipeline/export/formats.ts';
import { writeHtml } from '../pipeline/export/html.ts';
import { readInputs } from '../pipeline/ingest/read.ts';
import { IncidentRecord, POSTMORTEM_FIELDS, TAXONOMY, emptyPostmortem, type Article } from '../schemas/index.ts';
import { SHARED, allFixtures, fixture, tempStore } from './fixtures.ts';

/**
 * The layout of FAIL's record page, read from the example record at run time: in page order, the
 * markers a Markdown export must hold for it (section headings, postmortem fields, table heads and
 * each table's row titles). The page's own navigation ("Back to List") is no part of a record.
 */
function exampleLayout(): string[] {
  const text = readFileSync(join(SHARED, 'reference', 'example-record.txt'), 'utf8');
  const blocks = text
    .split(/\n\s*\n/)
    .map((b) =>
      b
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    )
    .filter((b) => b.length);
  const out: string[] = [];
  for (const [first, ...rest] of blocks) {
    if (first.startsWith('Incident: ')) out.push('# Incident: ');
    else if (first.startsWith('Published Date: ')) out.push('Published Date: ');
    else if (first.endsWith(' Option Rationale')) {
      out.push(`| ${first.slice(0, -' Option Rationale'.length)} | Option | Rationale |`);
      // A row's title is its first word, with the parenthesis that follows it: "Phase (Design/Operation) design, ...".
      for (const row of rest) out.push(`| ${/^\S+(?: \([^)]*\))?/.exec(row)![0]} |`);
    } else if (first !== 'Back to List') {
      out.push(`## ${first}`);
      for (const field of rest) out.push(`**${/^(.+?) 1\. /.exec(field)![1]}** `);
    }
  }
  return out;
}

let t: ReturnType<typeof tempStore>;
let records: IncidentRecord[];
let articles: Map<string, Article>;
beforeAll(async () => {
  t = tempStore();
  t.store.articles.insert(allFixtures());
  const b = new OfflineBackend();
  await runPipeline(t.store, b, { settings: { backend: b.name, model: b.model, concurrency: 2, cache: true } });
  records = t.store.records.list();
  articles = new Map(t.store.articles.list({ includeDuplicates: true }).map((a) => [a.id, a]));
});
afterAll(() => t.cleanup());

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [],
    field = '',
    quoted = false,
    i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') {
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      if (field !== '') throw new Error(`stray quote in unquoted field at ${i}`);
      quoted = true;
      i++;
      continue;
    }
    if (ch === ',') {
      row.push(field);
      field = '';
      i++;
      continue;
    }
    if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
      continue;
    }
    if (ch === '\r') throw new Error(`bare CR at ${i}`);
    field += ch;
    i++;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length) throw new Error('last row has no line end');
  return rows;
}

describe('markdown', () => {
  it("follows the example record's layout, in its order, for every incident", () => {
    const layout = exampleLayout();
    expect(layout.length).toBeGreaterThan(30);
    expect(records.length).toBeGreaterThanOrEqual(3);
    for (const r of records) {
      const md = render('md', [r], articles);
      let at = 0;
      for (const marker of layout) {
        const found = md.indexOf(marker, at);
        expect(found, `${r.id}: "${marker}" after offset ${at}`).toBeGreaterThanOrEqual(0);
        at = found + marker.length;
      }
      expect(md).toMatch(/^# Incident: .+/m);
      expect(md).toContain(`Published Date: ${r.published}`);
      for (const d of TAXONOMY.filter((x) => x.section !== 'hidden')) expect(md, d.title).toContain(`| ${d.title} |`);
    }
  });

  it('numbers the facts of each field and cites them as [Article <id>]', () => {
    const r = records.find((x) => x.articleIds.length > 1)!;
    const md = render('md', [r], articles);
    for (const f of POSTMORTEM_FIELDS) {
      const facts = r.postmortem![f];
      if (facts.length === 0) continue;
      const ids = [...new Set(facts[0].citations.map((c) => c.articleId))];
      expect(md).toContain(`1. ${facts[0].text.replace(/\s+/g, ' ')} [${ids.map((id) => `Article ${id}`).join(', ')}]`);
    }
    const cited = new Set([...md.matchAll(/Article ([\w-]+)/g)].map((m) => m[1]));
    for (const id of r.articleIds) expect(cited).toContain(id);
    // Sources list every article with its headline.
    for (const id of r.articleIds) expect(md).toContain(`- Article ${id}: ${articles.get(id)!.headline}`);
  });

  it('names in a source line only the outlet and date that are known', () => {
    const r = records[0]!;
    const id = r.articleIds[0]!;
    const a = articles.get(id)!;
    const line = (over: Partial<Article>) =>
      render('md', [r], new Map([...articles, [id, { ...a, ...over }]]))
        .split('\n')
        .find((l) => l.startsWith(`- Article ${id}:`));
    expect(line({ source: null, published: '2026-10-21', url: null })).toBe(`- Article ${id}: ${a.headline} (2026-10-21)`);
    expect(line({ source: 'Wire', published: null, url: null })).toBe(`- Article ${id}: ${a.headline} (Wire)`);
    expect(line({ source: null, published: null, url: null })).toBe(`- Article ${id}: ${a.headline}`);
    expect(line({ source: 'Wire', published: '2026-10-21', url: 'https://x.test/a' })).toBe(
      `- Article ${id}: ${a.headline} (Wire, 2026-10-21) <https://x.test/a>`,
    );
  });

  it('fills the IoT layer only for a cyber-physical system', () => {
    const car = records.find((r) => r.articleIds.includes('car'))!;
    const bank = records.find((r) => r.articleIds.includes('bank1'))!;
    expect(render('md', [car], articles)).not.toContain('not applicable');
    expect(render('md', [bank], articles).match(/\| not applicable \|/g)).toHaveLength(3);
  });

  it('renders boolean options as TRUE/FALSE and keeps table cells on one line', () => {
    const car = records.find((r) => r.articleIds.includes('car'))!;
    const md = render('md', [car], articles);
    expect(md).toMatch(/^\| Application \| (TRUE|FALSE|unknown) \|/m);
    for (const line of md.split('\n').filter((l) => l.startsWith('| '))) expect(line.endsWith('|'), line).toBe(true);
  });

  it('escapes pipes and folds line breaks inside cells', () => {
    const pm = emptyPostmortem('Title');
    pm.impacts = [{ text: 'Checkout | payments\nfailed', citations: [] }];
    const rec: IncidentRecord = {
      id: 'inc-x',
      articleIds: ['a'],
      published: null,
      title: 'Title',
      postmortem: pm,
      postmortemProvenance: null,
      labels: [
        {
          dimension: 'phase',
          options: ['design'],
          rationale: 'a | b\nc',
          confidence: 0.5,
          citations: [],
          provenance: { backend: 'x', model: 'y', promptHash: 'p', schemaHash: null, runId: 'r' },
        },
      ],
    };
    const md = render('md', [rec], new Map());
    expect(md).toContain('1. Checkout \\| payments failed');
    expect(md).toContain('| Phase (Design/Operation) | design | a \\| b c (confidence 0.50) |');
    expect(md).toContain('Published Date: unknown');
  });
});

describe('json', () => {
  it('is {"incidents": [...]} with id, title, article ids, cited postmortem facts and labels', () => {
    const out = JSON.parse(render('json', records, articles));
    expect(Object.keys(out)).toEqual(['incidents']);
    expect(out.incidents).toHaveLength(records.length);
    for (const inc of out.incidents) {
      const r = IncidentRecord.parse(inc);
      expect(r.id).toMatch(/^inc-/);
      expect(r.title.length).toBeGreaterThan(0);
      expect(r.articleIds.length).toBeGreaterThan(0);
      const facts = POSTMORTEM_FIELDS.flatMap((f) => r.postmortem![f]);
      expect(facts.length).toBeGreaterThan(0);
      for (const f of facts) {
        expect(f.citations.length).toBeGreaterThan(0);
        for (const c of f.citations) expect(articles.get(c.articleId)!.text.slice(c.start, c.end)).toBe(c.quote);
      }
      expect(r.labels.length).toBeGreaterThanOrEqual(13);
    }
    expect(out.incidents).toEqual(JSON.parse(JSON.stringify(records)));
  });

  it('prints an empty list when there is nothing yet', () => {
    expect(JSON.parse(render('json', [], articles))).toEqual({ incidents: [] });
  });
});

describe('jsonl', () => {
  it('has one parseable record per line', () => {
    const text = render('jsonl', records, articles);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(records.length);
    lines.forEach((l, i) => expect(IncidentRecord.parse(JSON.parse(l))).toEqual(records[i]));
    expect(render('jsonl', [], articles)).toBe('');
  });
});

describe('csv', () => {
  it('is well-formed: a header, one row per incident, the same number of fields everywhere', () => {
    const rows = parseCsv(render('csv', records, articles));
    const [head, ...body] = rows;
    expect(head.slice(0, 4)).toEqual(['id', 'title', 'published', 'article_ids']);
    for (const d of TAXONOMY) expect(head).toContain(d.key);
    expect(body).toHaveLength(records.length);
    for (const row of body) expect(row).toHaveLength(head.length);
    body.forEach((row, i) => {
      const r = records[i];
      expect(row[0]).toBe(r.id);
      expect(row[1]).toBe(r.title);
      expect(row[3]).toBe(r.articleIds.join(';'));
      const cps = r.labels.find((l) => l.dimension === 'cps')!;
      expect(row[head.indexOf('cps')]).toBe(cps.options.join(';'));
    });
  });

  it('quotes commas, quotes and line breaks', () => {
    const a = fixture('bank1');
    const tricky: IncidentRecord = {
      id: 'inc-q',
      articleIds: [a.id],
      published: '2023-03-06',
      title: 'App "down", again\nfor hours',
      postmortem: null,
      postmortemProvenance: null,
      labels: [],
    };
    const rows = parseCsv(render('csv', [tricky], new Map([[a.id, a]])));
    expect(rows[1][1]).toBe('App "down", again\nfor hours');
    expect(rows[1]).toHaveLength(rows[0].length);
  });

  it('every format renders every record', () => {
    for (const f of FORMATS.filter((x) => x !== 'html')) {
      const out = render(f, records, articles);
      for (const r of records) expect(out, f).toContain(r.id);
    }
  });
});

describe('html with no records', () => {
  it('says the export is empty, rather than that no incident matches the filters', () => {
    const dir = join(t.dir, 'empty-html');
    writeHtml(dir, [], new Map());
    const index = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(index).toContain('This export holds no incident records');
    expect(index).not.toContain('No incident matches these filters.');
  });
});

describe('read back', () => {
  /** A folder as a user leaves it: exports of every kind, gold incidents, eval predictions, and one new article. */
  async function readFolder() {
    const dir = join(t.dir, 'project');
    const put = (name: string, body: string) => {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), body);
    };
    for (const f of ['md', 'json', 'jsonl'] as const) put(`out/incidents.${f}`, render(f, records, articles));
    for (const r of records) put(`out/records/${r.id}.md`, render('md', [r], articles));
    writeHtml(join(dir, 'html'), records, articles);
    const gold = records.map((r) => ({ id: r.id, articleIds: r.articleIds, gold: { postmortem: r.postmortem } }));
    put('gold/incidents.jsonl', gold.map((g) => JSON.stringify(g)).join('\n'));
    put('eval/articles-predictions.jsonl', '{"id":"a1","predicted":{"isFailure":true}}\n{"id":"a2","predicted":{"isFailure":false}}\n');
    const a = fixture('launch');
    put('new/story.json', JSON.stringify({ id: 'new-story', headline: a.headline, text: a.text }));
    const items = [];
    for await (const item of readInputs([dir])) items.push(item);
    return { dir, items };
  }

  it("a folder walk passes over failscope's own outputs and gold incidents, each file said once, and reads the articles", async () => {
    const { dir, items } = await readFolder();
    expect(items.flatMap((i) => ('article' in i ? [i.article.id] : []))).toEqual(['new-story']);
    const passed = items.flatMap((i) => ('passed' in i ? [i.passed.origin.slice(dir.length + 1)] : []));
    expect(passed.sort()).toEqual(
      [
        'gold/incidents.jsonl',
        'html/index.html',
        ...records.map((r) => `html/incidents/${r.id}.html`),
        'out/incidents.json',
        'out/incidents.jsonl',
        'out/incidents.md',
        ...records.map((r) => `out/records/${r.id}.md`),
      ].sort(),
    );
    const gold = items.find((i) => 'passed' in i && i.passed.origin.endsWith('gold/incidents.jsonl'));
    expect(gold && 'passed' in gold && gold.passed.reason).toMatch(new RegExp(`^${records.length} incident record\\(s\\) \\(line 1, 2`));
    // A file of records none of which has text is one problem, not one per line.
    const problems = items.flatMap((i) => ('problem' in i ? [i.problem] : []));
    expect(problems).toEqual([
      {
        origin: join(dir, 'eval/articles-predictions.jsonl'),
        reason: 'no record has a "text", "body" or "content" string (2 records, line 1, 2), so it holds no articles',
      },
    ]);
  });

  it('an incident file named on its own is refused, and a record without text among articles is still named by its line', async () => {
    const { dir } = await readFolder();
    const named = [];
    for await (const item of readInputs([join(dir, 'out/incidents.jsonl')])) named.push(item);
    expect(named).toHaveLength(1);
    expect(named[0]).toMatchObject({ problem: { origin: join(dir, 'out/incidents.jsonl') } });
    const mixed = join(dir, 'mixed.jsonl');
    const a = fixture('launch');
    writeFileSync(mixed, `${JSON.stringify({ id: 'x', text: a.text })}\n{"id":"y"}\n`);
    const got = [];
    for await (const item of readInputs([mixed])) got.push(item);
    expect(got).toEqual([
      { article: expect.objectContaining({ id: 'x' }) },
      { problem: { origin: `${mixed}:2`, reason: 'record has no "text", "body" or "content" string (its keys: id)' } },
    ]);
  });
});
