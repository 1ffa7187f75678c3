import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { runPipeline } from '../pipeline/run.ts';
import { recordDecision } from '../pipeline/review/decisions.ts';
import { applyReviews } from '../pipeline/export/reviewed.ts';
import { render } from '../pipeline/export/formats.ts';
import { ExportRecord, type IncidentRecord, POSTMORTEM_FIELDS, emptyPostmortem, type Article, type ExportFact } from '../schemas/index.ts';
import { allFixtures, tempStore } from './fixtures.ts';
import { failscope } from './cli-in-process.ts';

/** RFC 4180 rows (quoted fields may hold commas, doubled quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [],
    field = '',
    quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  return rows;
}

let t: ReturnType<typeof tempStore>;
let db: string;
let bank: IncidentRecord;
let articles: Map<string, Article>;
const facts = (r: { postmortem: { [k: string]: unknown } | null }, field: string) => (r.postmortem?.[field] ?? []) as ExportFact[];

beforeAll(async () => {
  t = tempStore();
  db = join(t.dir, 'test.db');
  t.store.articles.insert(allFixtures());
  const b = new OfflineBackend();
  await runPipeline(t.store, b, { settings: { backend: b.name, model: b.model, concurrency: 2, cache: true } });
  bank = t.store.records.list().find((r) => r.articleIds.includes('bank1'))!;
  articles = new Map(t.store.articles.list({ includeDuplicates: true }).map((a) => [a.id, a]));
  const field = POSTMORTEM_FIELDS.find((f) => bank.postmortem![f].length >= 2)!;
  const phase = bank.labels.find((l) => l.dimension === 'phase')!;
  const other = phase.options.includes('operation') ? 'design' : 'operation';
  recordDecision(t.store, { incidentId: bank.id, kind: 'label', target: 'phase', action: 'change', options: [other], reviewer: 'Tess' });
  recordDecision(t.store, { incidentId: bank.id, kind: 'label', target: 'objective', action: 'accept', reviewer: 'Ravi' });
  recordDecision(t.store, {
    incidentId: bank.id,
    kind: 'fact',
    target: `${field}:0`,
    action: 'change',
    text: 'A corrected fact.',
    reviewer: 'Tess',
  });
  recordDecision(t.store, { incidentId: bank.id, kind: 'fact', target: `${field}:1`, action: 'unknown', reviewer: 'Tess' });
});
afterAll(() => t.cleanup());

describe('reviewed values in exports', () => {
  it("the reviewed value wins, stamped with who and when, the model's answer beside it", () => {
    const decisions = t.store.review.latest();
    const { records, applied, skipped } = applyReviews(t.store.records.list(), decisions);
    expect(applied).toEqual({ labels: 2, facts: 2 });
    expect(skipped).toEqual([]);
    const r = ExportRecord.parse(records.find((x) => x.id === bank.id));
    const model = bank.labels.find((l) => l.dimension === 'phase')!;
    const phase = r.labels.find((l) => l.dimension === 'phase')!;
    expect(phase.options).not.toEqual(model.options);
    expect(phase.review).toMatchObject({ source: 'review', reviewer: 'Tess', action: 'change' });
    expect(Date.parse(phase.review!.at)).not.toBeNaN();
    expect(phase.model).toEqual({ options: model.options, confidence: model.confidence });
    expect(r.labels.find((l) => l.dimension === 'objective')!.review).toMatchObject({ reviewer: 'Ravi', action: 'accept' });
    const field = POSTMORTEM_FIELDS.find((f) => facts(r, f).some((x) => x.review))!;
    expect(facts(r, field)[0]).toMatchObject({
      text: 'A corrected fact.',
      review: { reviewer: 'Tess', action: 'change' },
      model: { text: bank.postmortem![field][0].text },
    });
    expect(facts(r, field)[1].review?.action).toBe('unknown');
    // Records nobody reviewed are exported as they are.
    for (const x of records.filter((y) => y.id !== bank.id)) expect(x).toEqual(t.store.records.list().find((y) => y.id === x.id));
  });

  it('leaves a fact decision unapplied once the fact was re-extracted, and says so', () => {
    const changed = structuredClone(t.store.records.list());
    const rec = changed.find((x) => x.id === bank.id)!;
    const field = POSTMORTEM_FIELDS.find(
      (f) => rec.postmortem![f].length >= 2 && t.store.review.latest().some((d) => d.target === `${f}:0`),
    )!;
    rec.postmortem![field][0].text = 'A different sentence extracted later.';
    const { records, skipped } = applyReviews(changed, t.store.review.latest());
    expect(facts(records.find((x) => x.id === bank.id)!, field)[0].text).toBe('A different sentence extracted later.');
    expect(skipped).toEqual([{ incidentId: bank.id, target: `${field}:0`, reason: expect.stringMatching(/re-extracted/) }]);
  });

  it("export carries the decisions in json (the CLI), jsonl, md and csv; --no-review gives the model's answers", async () => {
    const model = bank.labels.find((l) => l.dimension === 'phase')!.options;
    const reviewed = t.store.review.latest().find((d) => d.target === 'phase')!.options!;
    const json = await failscope('export', '--format', 'json', '--db', db);
    expect(json.code).toBe(0);
    expect(json.stderr).toContain('2 reviewed label(s) and 2 reviewed fact(s) applied');
    const inc = JSON.parse(json.stdout).incidents.find((x: IncidentRecord) => x.id === bank.id);
    expect(inc.labels.find((l: { dimension: string }) => l.dimension === 'phase')).toMatchObject({
      options: reviewed,
      review: { reviewer: 'Tess' },
      model: { options: model },
    });
    // The other formats render the same reviewed records.
    const { records } = applyReviews(t.store.records.list(), t.store.review.latest());
    expect(
      render('jsonl', records, articles)
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .find((x) => x.id === bank.id),
    ).toEqual(inc);
    const md = render('md', records, articles);
    expect(md).toMatch(
      new RegExp(
        `\\| Phase \\(Design/Operation\\) \\| ${reviewed[0]} \\| .*Reviewed: changed by Tess on \\d{4}-\\d\\d-\\d\\d; the model said ${model.join(', ')}\\. \\|`,
      ),
    );
    expect(md).toContain('A corrected fact. [Article');
    expect(md).toMatch(/~~.+~~ \[Article [^\]]+\] \(marked unsupported by Tess/);
    const csv = parseCsv(render('csv', records, articles));
    const row = csv.find((x) => x[0] === bank.id)!;
    expect(row[csv[0].indexOf('phase')]).toBe(reviewed.join(';'));
    expect(row[csv[0].indexOf('phase_review')]).toMatch(/^changed by Tess on /);
    expect(row[csv[0].indexOf('phase_model')]).toBe(model.join(';'));
    expect(
      row[csv[0].indexOf(POSTMORTEM_FIELDS.find((f) => facts(records.find((x) => x.id === bank.id)!, f).some((x) => x.review))!)],
    ).toMatch(/^1\. A corrected fact\. \[Article [^\]]+\](\n2\. |$)/);

    const plain = JSON.parse((await failscope('export', '--format', 'json', '--no-review', '--db', db)).stdout).incidents.find(
      (x: IncidentRecord) => x.id === bank.id,
    );
    expect(plain).toEqual(JSON.parse(JSON.stringify(bank)));
  });
});

describe('csv', () => {
  it('carries the facts themselves, numbered, with their articles', () => {
    const rows = parseCsv(render('csv', [bank], articles));
    const [head, row] = rows;
    for (const f of POSTMORTEM_FIELDS) {
      expect(head).toContain(f);
      const want = bank
        .postmortem![f].map(
          (x, i) =>
            `${i + 1}. ${x.text.replace(/\s+/g, ' ').trim()} [${[...new Set(x.citations.map((c) => `Article ${c.articleId}`))].join(', ')}]`,
        )
        .join('\n');
      expect(row[head.indexOf(f)]).toBe(want);
    }
  });

  it('escapes cells a spreadsheet would run as a formula', () => {
    const pm = emptyPostmortem('t');
    pm.impacts = [{ text: '=HYPERLINK("http://evil.example","x")', citations: [] }];
    const rec: IncidentRecord = {
      id: 'inc-f',
      articleIds: ['a'],
      published: null,
      title: '=1+1',
      postmortem: { ...pm, summary: '@SUM(A1)' },
      postmortemProvenance: null,
      labels: [],
    };
    const cases = ['+CMD', '-2+3', '\tTAB', '\rCR'];
    const rows = parseCsv(render('csv', [rec, ...cases.map((title, i) => ({ ...rec, id: `inc-${i}`, title }))], new Map()));
    const head = rows[0];
    expect(rows[1][head.indexOf('title')]).toBe("'=1+1");
    expect(rows[1][head.indexOf('summary')]).toBe("'@SUM(A1)");
    // Facts are numbered, so a fact never opens its cell.
    expect(rows[1][head.indexOf('impacts')]).toBe('1. =HYPERLINK("http://evil.example","x")');
    cases.forEach((c, i) => expect(rows[i + 2][head.indexOf('title')]).toBe(`'${c}`));
  });
});
