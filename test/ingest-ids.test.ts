import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingest } from '../pipeline/ingest/ingest.ts';
import { RAW, tempStore } from './fixtures.ts';
import { failscope } from './cli-in-process.ts';

let t: ReturnType<typeof tempStore>;
let dir: string;
beforeEach(() => {
  t = tempStore();
  dir = join(t.dir, 'in');
  mkdirSync(dir);
});
afterEach(() => t.cleanup());

const write = (name: string, body: string) => {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, body);
  return p;
};
const doc = (r: { headline: string; text: string }) => `${r.headline}\n${r.text}\n`;
const line = (r: Record<string, unknown>) => `${JSON.stringify(r)}\n`;
const { bank1, car, breach, launch } = RAW;
const texts = () =>
  t.store.articles
    .list({ includeDuplicates: true })
    .map((a) => a.text)
    .sort();

describe('ids are unique per source: no article replaces another', () => {
  it('report.txt in two directories: two articles, the second under an id of its own', async () => {
    const d1 = write('c/d1/report.txt', doc(bank1));
    const d2 = write('c/d2/report.txt', doc(car));
    const r = await ingest(t.store, [join(dir, 'c/d1'), join(dir, 'c/d2')]);
    expect(r).toMatchObject({ read: 2, inserted: 2, updated: 0, problems: [] });
    expect(texts()).toEqual([bank1.text, car.text].sort());
    expect(t.store.articles.get('report')).toMatchObject({ origin: d1, text: bank1.text });
    expect(r.renamed).toEqual([{ origin: d2, id: expect.stringMatching(/^report-[0-9a-f]{6}$/), wanted: 'report', takenBy: d1 }]);
    // Read again, nothing changes; the second keeps its own id.
    expect(await ingest(t.store, [join(dir, 'c/d1'), join(dir, 'c/d2')])).toMatchObject({
      inserted: 0,
      existing: 2,
      updated: 0,
      renamed: [expect.objectContaining({ id: r.renamed[0].id })],
    });
  });

  it('"updated" means the same file changed, and only that file\'s article changes', async () => {
    const d1 = write('c/d1/report.txt', doc(bank1));
    const d2 = write('c/d2/report.txt', doc(car));
    const first = await ingest(t.store, [join(dir, 'c')]);
    writeFileSync(d2, doc(breach));
    writeFileSync(d1, doc(launch));
    const again = await ingest(t.store, [join(dir, 'c')]);
    expect(again).toMatchObject({ inserted: 0, updated: 2, problems: [] });
    expect(t.store.articles.get('report')).toMatchObject({ origin: d1, text: launch.text });
    expect(t.store.articles.get(first.renamed[0].id)).toMatchObject({ origin: d2, text: breach.text });
    expect(texts()).toEqual([launch.text, breach.text].sort());
  });

  it('"my report.txt" and "my_report.txt", and names with no ASCII letters, are different articles', async () => {
    write('my report.txt', doc(bank1));
    write('my_report.txt', doc(car));
    write('отчёт.txt', doc(breach));
    write('报告.md', doc(launch));
    const r = await ingest(t.store, [dir]);
    expect(r).toMatchObject({ read: 4, inserted: 4, problems: [] });
    expect(texts()).toEqual([bank1.text, car.text, breach.text, launch.text].sort());
  });

  it('id-less records of two articles.jsonl files are all kept', async () => {
    write('a/articles.jsonl', line({ headline: bank1.headline, text: bank1.text }) + line({ headline: car.headline, text: car.text }));
    write(
      'b/articles.jsonl',
      line({ headline: breach.headline, text: breach.text }) + line({ headline: launch.headline, text: launch.text }),
    );
    const r = await ingest(t.store, [join(dir, 'a'), join(dir, 'b')]);
    expect(r).toMatchObject({ read: 4, inserted: 4, updated: 0, problems: [] });
    expect(texts()).toEqual([bank1.text, car.text, breach.text, launch.text].sort());
  });

  it('an id given twice for different articles is refused, naming both sources; the first is kept', async () => {
    const a = write('a.jsonl', line({ id: 'x', ...bank1 }));
    const b = write('b.jsonl', line({ id: 'x', ...car }) + line({ id: 'y', ...breach }));
    const md = write('notes.md', `---\nid: y\ntitle: Another\n---\n${launch.text}\n`);
    const r = await ingest(t.store, [a, b, md]);
    expect(r.problems).toEqual([
      { origin: `${b}:1`, reason: expect.stringContaining(`id "x" is already used by ${a}:1`) },
      { origin: md, reason: expect.stringContaining(`id "y" is already used by ${b}:2`) },
    ]);
    expect(t.store.articles.get('x')!.text).toBe(bank1.text);
    expect(t.store.articles.get('y')!.text).toBe(breach.text);
    expect(t.store.articles.problems()).toEqual(r.problems);
  });

  it('within one file, a repeated id with other text is refused; the same article under its id again is not', async () => {
    const p = write('dup.jsonl', line({ id: 'x', ...bank1 }) + line({ id: 'x', ...car }) + line({ id: 'x', ...bank1 }));
    const other = write('copy.jsonl', line({ id: 'x', ...bank1 }));
    const r = await ingest(t.store, [p, other]);
    expect(r.problems).toEqual([{ origin: `${p}:2`, reason: expect.stringContaining(`already used by ${p}:1`) }]);
    expect(texts()).toEqual([bank1.text]);
  });

  it('a record edited in its own file is updated, under its id', async () => {
    const p = write('batch.jsonl', line({ id: 'x', ...bank1 }));
    await ingest(t.store, [p]);
    writeFileSync(p, line({ id: 'x', headline: bank1.headline, text: `${bank1.text}\n\nThe bank later apologised again.` }));
    expect(await ingest(t.store, [p])).toMatchObject({ inserted: 0, updated: 1, problems: [] });
    expect(t.store.articles.get('x')!.text).toMatch(/apologised again\.$/);
  });
});

describe('failscope ingest', () => {
  it('c/d1 c/d2 with a report.txt in each: 2 new, 0 updated, and says which took an id of its own', async () => {
    write('c/d1/report.txt', doc(bank1));
    const d2 = write('c/d2/report.txt', doc(car));
    const db = join(t.dir, 'cli.db');
    const r = await failscope('ingest', join(dir, 'c/d1'), join(dir, 'c/d2'), '--db', db);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ingested 2 new article\(s\) \(0 already stored, 0 updated, 0 duplicate\(s\), 1 under an id of their own\)/);
    expect(r.stderr).toMatch(
      new RegExp(
        `note ${d2.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: id "report" is taken by .*d1/report\\.txt; stored as "report-[0-9a-f]{6}"`,
      ),
    );
  });
});
