import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingest } from '../pipeline/ingest/ingest.ts';
import { readInputs } from '../pipeline/ingest/read.ts';
import { RAW, SHARED, tempStore } from './fixtures.ts';

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
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, body);
  return p;
};
const { bank1, car, breach, launch } = RAW;

describe('single-document files', () => {
  it('.txt: first line is the headline, the rest the text, a "Published on" date is read', async () => {
    const p = write('bank-outage.txt', `${bank1.headline}\n\nPublished on 2023-03-06.\n${bank1.text}\n`);
    const r = await ingest(t.store, [p]);
    expect(r).toMatchObject({ read: 1, inserted: 1, problems: [] });
    const a = t.store.articles.get('bank-outage')!;
    expect(a).toMatchObject({ headline: bank1.headline, published: '2023-03-06', origin: p, duplicateOf: null });
    expect(a.text).toBe(`Published on 2023-03-06.\n${bank1.text}`);
  });

  it('.md without front matter: a date line at the top is read ("Published: 2025-03-14", "Date: March 14, 2025"), a line that is no date is not', async () => {
    const cases: [string, string | null][] = [
      ['Published: 2025-03-14', '2025-03-14'],
      ['Date: March 14, 2025', '2025-03-14'],
      ['Posted on 14 March 2025.', '2025-03-14'],
      ['Updated 3 hours ago', null],
    ];
    for (const [i, [line, date]] of cases.entries()) {
      const p = write(`dated-${i}.md`, `# ${bank1.headline}\n\n${line}\n\n${bank1.text}\n`);
      await ingest(t.store, [p]);
      const a = t.store.articles.get(`dated-${i}`)!;
      expect([line, a.published]).toEqual([line, date]);
      expect(a.text.startsWith(line)).toBe(true);
    }
    // Only the top of the story: a date line further down is part of what it says.
    const p = write('dated-late.md', `# ${bank1.headline}\n\n${bank1.text}\n\nFirst.\n\nSecond.\n\nDate: 2020-01-01\n`);
    await ingest(t.store, [p]);
    expect(t.store.articles.get('dated-late')!.published).toBeNull();
  });

  it('.md: front matter gives id, title, date, url and source', async () => {
    const p = write(
      'notes/car.md',
      `---\nid: velto-recall\ntitle: "${car.headline}"\ndate: 2022-09-14T08:00:00Z\nurl: https://motor.example/velto\nsource: Motor Wire\n---\n${car.text}\n`,
    );
    await ingest(t.store, [p]);
    expect(t.store.articles.get('velto-recall')).toMatchObject({
      headline: car.headline,
      published: '2022-09-14',
      url: 'https://motor.example/velto',
      source: 'Motor Wire',
      text: car.text,
      origin: p,
    });
  });

  it('.txt: a pasted story of one paragraph is all text, its first sentence the headline; a headline alone is no article', async () => {
    const story = bank1.text.replace(/\s*\n+\s*/g, ' ');
    const p = write('pasted.txt', story);
    const q = write('headline-only.txt', `${bank1.headline}\n`);
    const r = await ingest(t.store, [p, q]);
    expect(r.problems).toEqual([{ origin: q, reason: 'no article text after the headline' }]);
    const a = t.store.articles.get('pasted')!;
    expect(a.text).toBe(story);
    expect(story.startsWith(a.headline)).toBe(true);
    expect(a.headline).toMatch(/\.$/);
    expect(a.headline.length).toBeLessThan(story.length);
  });

  it('a date that is no day of the calendar is named, and the article kept without one', async () => {
    const p = write('notes/odd.md', `---\ntitle: "${car.headline}"\ndate: 2022-13-45\n---\n${car.text}\n`);
    const q = write('notes/us.md', `---\ntitle: "${bank1.headline}"\ndate: 02/30/2023\n---\n${bank1.text}\n`);
    const noted: string[] = [];
    const r = await ingest(t.store, [p, q], { onUndated: (u) => noted.push(`${u.origin} ${u.value}`) });
    expect(r).toMatchObject({
      inserted: 2,
      problems: [],
      undated: [
        { origin: p, value: '2022-13-45' },
        { origin: q, value: '02/30/2023' },
      ],
    });
    expect(noted).toEqual([`${p} 2022-13-45`, `${q} 02/30/2023`]);
    expect(t.store.articles.get('odd')).toMatchObject({ published: null, text: car.text });
    expect(t.store.articles.get('us')!.published).toBeNull();
  });

  it('a publication date after today is kept as given and named in a note', async () => {
    const p = write('future.jsonl', JSON.stringify({ id: 'fut', headline: car.headline, text: car.text, published: '2999-01-02' }));
    const r = await ingest(t.store, [p]);
    expect(r.undated).toEqual([{ origin: `${p}:1`, value: '2999-01-02', future: true }]);
    expect(t.store.articles.get('fut')!.published).toBe('2999-01-02');
  });

  it('a JSON date given as a number is Unix time (seconds or milliseconds); one of another kind is named, not dropped unsaid', async () => {
    const p = write(
      'dates.jsonl',
      [
        { id: 'sec', headline: car.headline, text: car.text, published: 1663142400 },
        { id: 'ms', headline: bank1.headline, text: bank1.text, date: 1678060800000 },
        { id: 'obj', headline: breach.headline, text: breach.text, published: { $date: '2021-05-01' } },
      ]
        .map((x) => JSON.stringify(x))
        .join('\n'),
    );
    const r = await ingest(t.store, [p]);
    expect(r).toMatchObject({ inserted: 3, problems: [], undated: [{ origin: `${p}:3`, value: '{"$date":"2021-05-01"}' }] });
    expect(t.store.articles.get('sec')!.published).toBe('2022-09-14');
    expect(t.store.articles.get('ms')!.published).toBe('2023-03-06');
    expect(t.store.articles.get('obj')!.published).toBeNull();
  });

  it('.md: a "# heading" without front matter is the headline; CRLF line ends work', async () => {
    const p = write('breach.md', `# ${breach.headline}\r\n\r\n${breach.text.replace(/\n/g, '\r\n')}\r\n`);
    const crlf = write(
      'crlf-front.md',
      `---\r\ntitle: Front matter with CRLF\r\ndate: 2021-11-03\r\n---\r\n${breach.text.replace(/\n/g, '\r\n')}`,
    );
    const r = await ingest(t.store, [p, crlf]);
    expect(r.problems).toEqual([]);
    expect(t.store.articles.get('breach')).toMatchObject({ headline: breach.headline, text: breach.text });
    expect(t.store.articles.get('crlf-front')).toMatchObject({
      headline: 'Front matter with CRLF',
      published: '2021-11-03',
      text: breach.text,
    });
  });

  it('.html: readable text and metadata (title, date, site, canonical url)', async () => {
    const paras = car.text
      .split('\n\n')
      .map((x) => `<p>${x}</p>`)
      .join('\n');
    const p = write(
      'velto.html',
      `<!doctype html><html><head><title>${car.headline}</title>
      <meta property="og:site_name" content="Motor Wire"><meta property="article:published_time" content="2022-09-14T10:00:00+00:00">
      <link rel="canonical" href="https://motor.example/velto-recall"></head>
      <body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>${car.headline}</h1>${paras}</article>
      <footer>Copyright Motor Wire. All rights reserved.</footer><script>var tracking = 1;</script></body></html>`,
    );
    const r = await ingest(t.store, [p]);
    expect(r.problems).toEqual([]);
    const a = t.store.articles.get('velto')!;
    expect(a).toMatchObject({
      headline: car.headline,
      published: '2022-09-14',
      source: 'Motor Wire',
      url: 'https://motor.example/velto-recall',
    });
    expect(a.text).toContain('Velto is recalling 40,000 electric cars');
    expect(a.text).toContain('Regulators said the recall covers cars built between January and June.');
    expect(a.text).not.toContain('tracking');
  });

  it('.html: a page in its declared legacy charset is read as a browser reads it, and minified paragraphs stay apart', async () => {
    const page = `<html><head><meta charset="iso-8859-1"><title>Café chain payment outage</title></head><body><article><p>The café chain said its payment system crashed on Friday after a faulty software update, leaving customers in München and Zürich unable to pay by card for six hours.</p><p>It said no card data was exposed and that 120 branches were affected.</p></article></body></html>`;
    const p = write('cafe.html', Buffer.from(page, 'latin1'));
    // A short story: under the default floor of 100 words.
    const r = await ingest(t.store, [p], { minPageWords: 40 });
    expect(r.problems).toEqual([]);
    const a = t.store.articles.get('cafe')!;
    expect(a.headline).toBe('Café chain payment outage');
    expect(a.text).toContain('customers in München and Zürich');
    expect(a.text).toContain('for six hours.\nIt said no card data');
  });

  it('UTF-16 text with a byte-order mark (Windows "Unicode") is read, little- and big-endian, .txt and .jsonl alike', async () => {
    const utf16 = (text: string, big = false) => {
      const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
      return big ? Buffer.from(le.map((_, i) => le[i ^ 1]!)) : le;
    };
    const txt = write('tills.txt', utf16(`${bank1.headline}\r\n\r\n${bank1.text}\r\n`));
    const lines = write(
      'wire.jsonl',
      utf16(
        `${JSON.stringify({ id: 'be-1', headline: 'Café tills down', text: car.text })}\n\n${JSON.stringify({ id: 'be-2', text: breach.text })}\n`,
        true,
      ),
    );
    const r = await ingest(t.store, [txt, lines]);
    expect(r).toMatchObject({ read: 3, inserted: 3, problems: [] });
    expect(t.store.articles.get('tills')).toMatchObject({ headline: bank1.headline, text: bank1.text });
    expect(t.store.articles.get('be-1')).toMatchObject({ headline: 'Café tills down', text: car.text, origin: `${lines}:1` });
    expect(t.store.articles.get('be-2')).toMatchObject({ text: breach.text, origin: `${lines}:3` });
  });

  it('.html: a page with too few words of article text (a cookie wall, an index page) is refused, naming the count and the setting', async () => {
    const nav = write(
      'index.html',
      '<html><head><title>Tech news</title></head><body><nav><a href="/a">Home</a> <a href="/b">World</a> <a href="/c">Technology</a></nav><p>We use cookies to improve your experience. Accept all cookies to continue reading.</p></body></html>',
    );
    const r = await ingest(t.store, [nav]);
    expect(r.inserted).toBe(0);
    expect(r.problems).toEqual([
      {
        origin: nav,
        reason: expect.stringMatching(
          /^\d+ words of article text, fewer than 100 \(a paywall, cookie wall or index page\?\); ingest\.minPageWords/,
        ),
      },
    ]);
  });
});

describe('JSON and JSON Lines', () => {
  it('.json: one object, an array, or {"articles": [...]}', async () => {
    const one = write(
      'one.json',
      JSON.stringify({ id: 'j1', title: bank1.headline, date: '03/06/2023', outlet: 'Herald', body: bank1.text }),
    );
    const arr = write(
      'arr.json',
      JSON.stringify([
        { id: 'j2', headline: car.headline, text: car.text },
        { headline: breach.headline, text: breach.text },
      ]),
    );
    const wrapped = write('wrapped.json', JSON.stringify({ articles: [{ id: 7, headline: launch.headline, text: launch.text }] }));
    const r = await ingest(t.store, [one, arr, wrapped]);
    expect(r).toMatchObject({ read: 4, inserted: 4, problems: [] });
    expect(t.store.articles.get('j1')).toMatchObject({
      headline: bank1.headline,
      published: '2023-03-06',
      source: 'Herald',
      text: bank1.text,
      origin: one,
    });
    expect(t.store.articles.get('j2')).toMatchObject({ origin: `${arr}[0]` });
    // A record without an id is named after its file and its text.
    expect(t.store.articles.list().find((a) => a.origin === `${arr}[1]`)).toMatchObject({
      id: expect.stringMatching(/^arr-[0-9a-f]{10}$/),
      headline: breach.headline,
    });
    expect(t.store.articles.get('7')).toMatchObject({ headline: launch.headline });
  });

  it('.jsonl: one article per line, blank lines skipped, origin is file:line', async () => {
    const p = write(
      'batch.jsonl',
      [
        JSON.stringify({ id: 'l1', headline: bank1.headline, published: bank1.published, text: bank1.text }),
        '',
        JSON.stringify({ id: 'l2', headline: car.headline, published: car.published, text: car.text }),
      ].join('\n'),
    );
    const r = await ingest(t.store, [p]);
    expect(r).toMatchObject({ read: 2, inserted: 2, problems: [] });
    expect(t.store.articles.get('l1')!.origin).toBe(`${p}:1`);
    expect(t.store.articles.get('l2')!.origin).toBe(`${p}:3`);
  });

  it('benchmark format: gold and reference are stripped, the article keeps only what the pipeline may read', async () => {
    const p = write(
      'bench.jsonl',
      JSON.stringify({
        id: 'fake-1',
        url: 'https://example.test/1',
        headline: bank1.headline,
        source: 'https://herald.example',
        published: '2023-03-06',
        text: bank1.text,
        gold: { isFailure: true, analyzable: true, incidentId: 'gold-inc-SECRET' },
        reference: { system: 'FAIL', isFailure: true, analyzable: true },
      }),
    );
    await ingest(t.store, [p]);
    const a = t.store.articles.get('fake-1')!;
    expect(Object.keys(a).sort()).toEqual(['contentHash', 'duplicateOf', 'headline', 'id', 'origin', 'published', 'source', 'text', 'url']);
    expect(JSON.stringify(t.store.articles.list({ includeDuplicates: true }))).not.toMatch(/gold|SECRET|reference/);
  });

  it('reads the shared benchmark files at run time, none of their gold stored', async () => {
    const fail = join(SHARED, 'benchmarks', 'fail', 'articles.jsonl');
    const ko = join(SHARED, 'benchmarks', 'ko', 'articles.jsonl');
    const r = await ingest(t.store, [fail, ko]);
    expect(r.problems).toEqual([]);
    expect(r.read).toBe(53 + 974);
    expect(r.inserted).toBe(r.read);
    const arts = t.store.articles.list({ includeDuplicates: true });
    expect(arts).toHaveLength(r.read);
    // Ko's MM/DD/YYYY dates become ISO dates.
    expect(arts.filter((a) => a.id.startsWith('ko-')).every((a) => a.published === null || /^\d{4}-\d{2}-\d{2}$/.test(a.published))).toBe(
      true,
    );
    for (const a of arts) expect(Object.keys(a)).not.toContain('gold');
  });
});

describe('directories', () => {
  it('reads recursively in name order, skipping README.md and unsupported files', async () => {
    write('b/second.txt', `${car.headline}\n${car.text}`);
    write('a/first.md', `# ${bank1.headline}\n${bank1.text}`);
    write('a/deeper/third.json', JSON.stringify({ id: 'third', headline: breach.headline, text: breach.text }));
    write('README.md', '# About these files\nNot an article.');
    write('a/picture.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]));
    const seen: string[] = [];
    for await (const item of readInputs([dir])) if ('article' in item) seen.push(item.article.id);
    expect(seen).toEqual(['third', 'first', 'second']);
    const r = await ingest(t.store, [dir]);
    expect(r).toMatchObject({ read: 3, inserted: 3, problems: [] });
  });

  it('passes over hidden folders and node_modules inside the folder it walks, but reads one named itself', async () => {
    write('news/story.txt', `${car.headline}\n${car.text}`);
    write('node_modules/pkg/CHANGELOG.md', `# Changelog\n\n## 1.0.0\n${bank1.text}`);
    write('.cache/page.txt', `${breach.headline}\n${breach.text}`);
    const ids = async (path: string) => {
      const seen: string[] = [];
      for await (const item of readInputs([path])) if ('article' in item) seen.push(item.article.id);
      return seen;
    };
    expect(await ids(dir)).toEqual(['story']);
    expect(await ids(join(dir, '.cache'))).toEqual(['page']);
  });

  it('stops reading when its signal is aborted (Ctrl-C), keeping what it stored', async () => {
    const p = write('many.jsonl', ['{bad', ...[car, bank1].map((a, i) => JSON.stringify({ id: `m${i}`, ...a }))].join('\n'));
    const stop = new AbortController();
    // The user presses Ctrl-C while the first line is reported.
    const r = await ingest(t.store, [p], { signal: stop.signal, onProblem: () => stop.abort() });
    expect(r).toMatchObject({ read: 0, inserted: 0 });
    expect(r.problems).toHaveLength(1);
    expect(await ingest(t.store, [p])).toMatchObject({ inserted: 2 });
  });

  it('a second ingest of the same inputs adds nothing', async () => {
    write('x/one.txt', `${car.headline}\n${car.text}`);
    await ingest(t.store, [dir]);
    expect(await ingest(t.store, [dir])).toMatchObject({ read: 1, inserted: 0, existing: 1, updated: 0 });
  });

  it('an edited file updates its article', async () => {
    const p = write('one.txt', `${car.headline}\n${car.text}`);
    await ingest(t.store, [p]);
    writeFileSync(p, `${car.headline}\n${car.text}\n\nVelto later widened the recall to 52,000 cars.`);
    expect(await ingest(t.store, [p])).toMatchObject({ read: 1, inserted: 0, updated: 1 });
    expect(t.store.articles.get('one')!.text).toMatch(/52,000 cars\.$/);
  });
});

describe('bad inputs are reported with file and line, and the rest is ingested', () => {
  it('empty, binary, unreadable, huge, malformed, text-less and unsupported inputs', async () => {
    const good = write('good.txt', `${bank1.headline}\n${bank1.text}`);
    const empty = write('empty.txt', '');
    const binary = write('binary.txt', Buffer.from([0x48, 0x69, 0x00, 0x01, 0xff, 0xfe, 0x00, 0x10]));
    const latin1 = write(
      'latin1.md',
      Buffer.concat([Buffer.from('# Caf'), Buffer.from([0xe9]), Buffer.from(' app crashed\n'), Buffer.from('x'.repeat(100))]),
    );
    const dangling = join(dir, 'gone.txt');
    symlinkSync(join(dir, 'does-not-exist.txt'), dangling);
    mkdirSync(join(dir, 'folder'));
    const dirLink = join(dir, 'folder-link.txt');
    symlinkSync(join(dir, 'folder'), dirLink);
    const huge = write('huge.txt', `${car.headline}\n${car.text.repeat(20)}`);
    const jsonl = write(
      'mixed.jsonl',
      [
        JSON.stringify({ id: 'ok-1', headline: car.headline, text: car.text }),
        '{"id": "broken", "headline": "no closing brace"',
        JSON.stringify({ id: 'no-text', headline: 'A headline only' }),
        JSON.stringify(['not', 'an', 'object']),
        JSON.stringify({ id: 'ok-2', headline: breach.headline, text: breach.text }),
        JSON.stringify({ id: 'blank', headline: 'Text left empty', text: '  ' }),
      ].join('\n'),
    );
    const badJson = write('bad.json', '{"id": "x", "text": ');
    const unsupported = write('slides.pptx', 'PK');
    const missing = join(dir, 'never-written.jsonl');

    const inputs = [good, empty, binary, latin1, dangling, dirLink, huge, jsonl, badJson, unsupported, missing];
    const r = await ingest(t.store, inputs, { maxArticleBytes: 4000 });
    expect(
      t.store.articles
        .list()
        .map((a) => a.id)
        .sort(),
    ).toEqual(['good', 'ok-1', 'ok-2']);
    const reasons = new Map(r.problems.map((p) => [p.origin, p.reason]));
    expect([...reasons.keys()].sort()).toEqual(
      [
        empty,
        binary,
        `${latin1}:1`,
        dangling,
        dirLink,
        huge,
        `${jsonl}:2`,
        `${jsonl}:3`,
        `${jsonl}:4`,
        `${jsonl}:6`,
        badJson,
        unsupported,
        missing,
      ].sort(),
    );
    expect(reasons.get(empty)).toMatch(/empty/);
    expect(reasons.get(binary)).toMatch(/binary/);
    expect(reasons.get(`${latin1}:1`)).toMatch(/not valid UTF-8 \(line 1\)/);
    expect(reasons.get(dangling)).toMatch(/cannot read.*ENOENT/);
    // A directory named like a file (here through a symlink) holds nothing to read: reported, not silently empty.
    expect(reasons.get(dirLink)).toMatch(/directory holds no .* files/);
    expect(reasons.get(huge)).toMatch(/over the .* limit/);
    expect(reasons.get(`${jsonl}:2`)).toMatch(/malformed JSON/);
    expect(reasons.get(`${jsonl}:3`)).toMatch(/no "text"/);
    expect(reasons.get(`${jsonl}:4`)).toMatch(/JSON object/);
    // A text field that is there but blank is named, not listed among the keys as if it held text.
    expect(reasons.get(`${jsonl}:6`)).toBe('record has no "text", "body" or "content" string (its "text" is empty)');
    expect(reasons.get(badJson)).toMatch(/malformed JSON/);
    expect(reasons.get(unsupported)).toMatch(/unsupported file type/);
    expect(reasons.get(missing)).toMatch(/ENOENT/);
    // Every problem is kept in the store too, for `failscope status`.
    expect(t.store.articles.problems()).toEqual(r.problems);
  });

  it("reads the shapes of news APIs (NewsAPI's content, publishedAt, source.name), refuses their teasers, and names the keys of a record without text", async () => {
    const p = write(
      'newsapi.json',
      JSON.stringify({
        status: 'ok',
        articles: [
          {
            source: { id: null, name: 'Motor Wire' },
            title: car.headline,
            content: car.text,
            publishedAt: '2023-03-06T10:00:00Z',
            url: 'https://m.example/a',
          },
          // NewsAPI's free tier gives the first 200 characters and says how many more there are.
          {
            source: { name: 'Herald' },
            title: 'Bank outage',
            content: `${car.text.slice(0, 190)}… [+2043 chars]`,
            url: 'https://h.example/b',
          },
          { status: 'ok', data: { text: car.text } },
        ],
      }),
    );
    const r = await ingest(t.store, [p]);
    expect(r.read).toBe(1);
    expect(t.store.articles.list()[0]).toMatchObject({
      headline: car.headline,
      source: 'Motor Wire',
      published: '2023-03-06',
      url: 'https://m.example/a',
    });
    expect(r.problems).toEqual([
      {
        origin: `${p}[1]`,
        reason: expect.stringContaining(
          'the text is cut off ("[+2043 chars]", as news APIs give a teaser): `failscope collect https://h.example/b`',
        ),
      },
      { origin: `${p}[2]`, reason: 'record has no "text", "body" or "content" string (its keys: status, data)' },
    ]);
  });

  it('a table of articles (.csv) is refused with how to turn it into JSON Lines', async () => {
    const p = write('news.csv', 'title,text\nOutage,"The app failed."\n');
    const r = await ingest(t.store, [p]);
    expect(r.problems).toEqual([
      { origin: p, reason: expect.stringContaining('a table of articles reads as JSON Lines, one object per row with a "text" column') },
    ]);
  });

  it('a file of web addresses is no article: passed over in a walk, refused when named, with the collect command either way', async () => {
    write('ok.txt', `${car.headline}\n${car.text}`);
    // Read as a story, the first address was the headline and the rest its text.
    const urls = write('urls.txt', '# outages to fetch\r\nhttps://news.example/a\r\n\r\nhttp://news.example/b?id=2\r\n');
    const walked = await ingest(t.store, [dir]);
    expect(walked.read).toBe(1);
    expect(walked.problems).toEqual([]);
    expect(walked.passed).toEqual([
      { origin: urls, reason: expect.stringContaining(`2 web address(es), not an article: \`failscope collect --urls-file ${urls}\``) },
    ]);
    const named = await ingest(t.store, [urls]);
    expect(named.read).toBe(0);
    expect(named.problems).toEqual([{ origin: urls, reason: expect.stringContaining('failscope collect --urls-file') }]);
    // One address among words is a story that cites its source.
    write('story.txt', `${car.headline}\nhttps://news.example/a\n${car.text}`);
    expect((await ingest(t.store, [join(dir, 'story.txt')])).read).toBe(1);
  });

  it('inside a walked directory, a dangling symlink is reported rather than passed over', async () => {
    write('ok.txt', `${car.headline}\n${car.text}`);
    symlinkSync(join(dir, 'nowhere.md'), join(dir, 'broken-link.md'));
    const r = await ingest(t.store, [dir]);
    expect(r.read).toBe(1);
    expect(r.problems).toEqual([{ origin: join(dir, 'broken-link.md'), reason: expect.stringMatching(/ENOENT/) }]);
  });

  it('inside a walked directory, a symlink to a directory named like a file cannot be read', async () => {
    mkdirSync(join(dir, 'sub'));
    write('ok.txt', `${car.headline}\n${car.text}`);
    symlinkSync(join(dir, 'sub'), join(dir, 'looks-like-a-file.txt'));
    const r = await ingest(t.store, [dir]);
    expect(r.read).toBe(1);
    expect(r.problems).toEqual([{ origin: join(dir, 'looks-like-a-file.txt'), reason: expect.stringMatching(/cannot read.*EISDIR/) }]);
  });

  it('an over-long JSON line is reported with its line number', async () => {
    const p = write(
      'long.jsonl',
      [
        JSON.stringify({ id: 'big', text: 'x '.repeat(3000) }),
        JSON.stringify({ id: 'small', headline: car.headline, text: car.text }),
      ].join('\n'),
    );
    const r = await ingest(t.store, [p], { maxArticleBytes: 1000 });
    expect(r.problems).toEqual([{ origin: `${p}:1`, reason: expect.stringMatching(/over the .* limit/) }]);
    expect(t.store.articles.get('small')).toBeDefined();
  });

  it('a text file with a headline and no body is reported', async () => {
    const p = write('headline-only.txt', 'Just a headline\n\n   \n');
    const r = await ingest(t.store, [p]);
    expect(r.problems).toEqual([{ origin: p, reason: expect.stringMatching(/no article text/) }]);
  });
});
