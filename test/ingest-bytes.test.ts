import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingest } from '../pipeline/ingest/ingest.ts';
import { readLines } from '../pipeline/ingest/lines.ts';
import { RAW, tempStore } from './fixtures.ts';

let t: ReturnType<typeof tempStore>;
let dir: string;
beforeEach(() => {
  t = tempStore();
  dir = join(t.dir, 'in');
  mkdirSync(dir);
});
afterEach(() => t.cleanup());

const write = (name: string, body: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
};
const rec = (id: string, r: { headline: string; text: string }) => Buffer.from(JSON.stringify({ id, headline: r.headline, text: r.text }));
const NL = Buffer.from('\n');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** A Latin-1 "é": one byte that is not UTF-8. */
const LATIN1_E = Buffer.from([0xe9]);
const withBadByte = (id: string, r: { headline: string; text: string }) =>
  Buffer.concat([Buffer.from(`{"id": "${id}", "headline": "Caf`), LATIN1_E, Buffer.from(`", "text": ${JSON.stringify(r.text)}}`)]);
const { bank1, car, breach, launch } = RAW;
const ids = () =>
  t.store.articles
    .list({ includeDuplicates: true })
    .map((a) => a.id)
    .sort();

describe('invalid UTF-8 is reported per record, by file and line, and the good records are kept', () => {
  it('JSON Lines: a bad byte on line 1 skips only line 1', async () => {
    const p = write('early.jsonl', Buffer.concat([withBadByte('bad', bank1), NL, rec('ok-1', car), NL, rec('ok-2', breach), NL]));
    const r = await ingest(t.store, [p]);
    expect(r.problems).toEqual([{ origin: `${p}:1`, reason: expect.stringMatching(/not valid UTF-8/) }]);
    expect(ids()).toEqual(['ok-1', 'ok-2']);
  });

  it('JSON Lines: a bad byte far past the first 8 KB is reported, not stored as U+FFFD', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => rec(`ok-${i}`, { headline: car.headline, text: `${car.text} (${i})` }));
    const p = write('late.jsonl', Buffer.concat([...lines.flatMap((l) => [l, NL]), withBadByte('bad', bank1), NL, rec('last', launch)]));
    const r = await ingest(t.store, [p]);
    expect(r.problems).toEqual([{ origin: `${p}:41`, reason: expect.stringMatching(/not valid UTF-8/) }]);
    expect(ids()).toHaveLength(41);
    expect(ids()).toContain('last');
    expect(t.store.articles.list({ includeDuplicates: true }).some((a) => /\uFFFD/.test(a.text + a.headline))).toBe(false);
  });

  it('a .json array: the record holding the bad byte is left out, the others kept', async () => {
    const p = write(
      'arr.json',
      Buffer.concat([
        Buffer.from('[\n'),
        rec('a', bank1),
        Buffer.from(',\n'),
        withBadByte('b', car),
        Buffer.from(',\n'),
        rec('c', breach),
        Buffer.from('\n]\n'),
      ]),
    );
    const r = await ingest(t.store, [p]);
    expect(r.problems).toEqual([{ origin: `${p}[1]`, reason: expect.stringMatching(/not valid UTF-8 \(line 3\)/) }]);
    expect(ids()).toEqual(['a', 'c']);
  });

  it('a text file with a bad byte is named by its first bad line', async () => {
    const p = write(
      'story.txt',
      Buffer.concat([Buffer.from(`${bank1.headline}\n\nFirst paragraph.\nCaf`), LATIN1_E, Buffer.from(` closed.\n${bank1.text}\n`)]),
    );
    const r = await ingest(t.store, [p]);
    expect(r.problems).toEqual([{ origin: `${p}:4`, reason: expect.stringMatching(/not valid UTF-8 \(line 4\)/) }]);
  });
});

describe('a UTF-8 byte-order mark is accepted', () => {
  it('on the first record of a JSON Lines file', async () => {
    const p = write('bom.jsonl', Buffer.concat([BOM, rec('first', bank1), NL, rec('second', car), NL]));
    expect(await ingest(t.store, [p])).toMatchObject({ read: 2, inserted: 2, problems: [] });
    expect(ids()).toEqual(['first', 'second']);
  });

  it('on a .json file, and a Markdown file', async () => {
    const json = write(
      'bom.json',
      Buffer.concat([BOM, Buffer.from('['), rec('j1', bank1), Buffer.from(','), rec('j2', car), Buffer.from(']')]),
    );
    const md = write('bom.md', Buffer.concat([BOM, Buffer.from(`# ${breach.headline}\n${breach.text}\n`)]));
    expect(await ingest(t.store, [json, md])).toMatchObject({ read: 3, inserted: 3, problems: [] });
    expect(t.store.articles.get('bom')!.headline).toBe(breach.headline);
  });
});

describe('oversized records', () => {
  it('a JSON Lines line over --max-article-bytes is refused by file:line, and the lines after it read', async () => {
    const big = Buffer.from(JSON.stringify({ id: 'big', text: 'word '.repeat(50_000) }));
    const p = write('big.jsonl', Buffer.concat([rec('before', bank1), NL, big, NL, rec('after', car), NL]));
    const r = await ingest(t.store, [p], { maxArticleBytes: 100_000 });
    expect(r.problems).toEqual([
      { origin: `${p}:2`, reason: expect.stringMatching(/^line is 0\.2 MB, over the 0\.1 MB limit \(--max-article-bytes/) },
    ]);
    expect(ids()).toEqual(['after', 'before']);
  });

  it('an article over the limit in a text file, a .json record or a page is refused by name', async () => {
    const long = `${bank1.text}\n\n`.repeat(20);
    const txt = write('long.txt', `${bank1.headline}\n${long}`);
    const json = write(
      'two.json',
      JSON.stringify([
        { id: 'short', ...car },
        { id: 'long', headline: 'x', text: long },
      ]),
    );
    const page = write(
      'page.html',
      `<html><head><title>${bank1.headline}</title></head><body><article>${long
        .split('\n\n')
        .map((p) => `<p>${p}</p>`)
        .join('')}</article></body></html>`,
    );
    const r = await ingest(t.store, [txt, json, page], { maxArticleBytes: 10_000 });
    expect(r.problems.map((p) => p.origin)).toEqual([txt, `${json}[1]`, page]);
    for (const p of r.problems) expect(p.reason).toMatch(/over the .* limit/);
    expect(ids()).toEqual(['short']);
  });
});

describe('readLines', () => {
  it('splits across chunk boundaries, drops CR before LF, keeps a last line without LF, and never returns a line over the limit', async () => {
    const long = 'x'.repeat(200_000);
    const p = write('lines.txt', `a\r\n${'b'.repeat(70_000)}\n${long}\n\nlast`);
    const got: unknown[] = [];
    for await (const l of readLines(p, 100_000)) got.push('bytes' in l ? { n: l.n, text: l.bytes.toString() } : l);
    expect(got).toEqual([
      { n: 1, text: 'a' },
      { n: 2, text: 'b'.repeat(70_000) },
      { n: 3, tooLong: 200_000 },
      { n: 4, text: '' },
      { n: 5, text: 'last' },
    ]);
  });
});
