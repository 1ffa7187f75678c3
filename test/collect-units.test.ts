import { describe, expect, it } from 'vitest';
import { checkAddress, isPrivateAddress } from '../pipeline/collect/address.ts';
import { decodeBody, looksBinary } from '../pipeline/text/charset.ts';
import { NearDuplicateIndex, fromBlob, minhash, similarity, toBlob } from '../pipeline/collect/dedupe.ts';
import { extractPage } from '../pipeline/collect/extract.ts';
import { countWords } from '../pipeline/ingest/html.ts';
import { looksLikeFeed, parseFeed } from '../pipeline/collect/feeds.ts';
import { HostGate } from '../pipeline/collect/politeness.ts';
import { parseRobots } from '../pipeline/collect/robots.ts';
import { loadSearchConfig, searchQueries, windowsOf } from '../pipeline/collect/search.ts';
import { canonicalUrl, parseHttpUrl } from '../pipeline/collect/url.ts';
import { SearchConfig } from '../schemas/collect.ts';
import { articleHtml, prose, publicResolver } from './collect-fixtures.ts';

describe('URLs', () => {
  it('strips tracking parameters and fragments, sorts the rest', () => {
    expect(canonicalUrl('https://News.Example:443/a/b?utm_source=x&z=2&fbclid=abc&a=1#top')).toBe('https://news.example/a/b?a=1&z=2');
    expect(canonicalUrl('http://news.example/a?utm_medium=rss')).toBe('http://news.example/a');
  });

  it('allows only http(s) and refuses credentials', () => {
    expect(parseHttpUrl('ftp://news.example/x')).toMatchObject({ ok: false, reason: 'unsupported-scheme' });
    expect(parseHttpUrl('file:///etc/passwd')).toMatchObject({ ok: false, reason: 'unsupported-scheme' });
    expect(parseHttpUrl('javascript:alert(1)')).toMatchObject({ ok: false, reason: 'unsupported-scheme' });
    expect(parseHttpUrl('not a url')).toMatchObject({ ok: false, reason: 'invalid-url' });
    expect(parseHttpUrl('https://user:pw@news.example/')).toMatchObject({ ok: false, reason: 'invalid-url' });
    expect(parseHttpUrl('/rel', 'https://news.example/feed')).toMatchObject({ ok: true });
  });
});

describe('private-address guard', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.10',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '::127.0.0.1',
  ])('refuses %s', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('allows %s', (ip) =>
    expect(isPrivateAddress(ip)).toBe(false),
  );

  it('checks literal IPs (also in forms the URL parser normalises) without DNS, and resolves names', async () => {
    const noDns = async () => {
      throw new Error('DNS must not be used for literal addresses');
    };
    for (const u of [
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://localhost:8080/',
    ]) {
      expect(await checkAddress(new URL(u), noDns), u).toMatchObject({ ok: false, reason: 'private-address' });
    }
    expect(await checkAddress(new URL('https://internal.example/'), publicResolver)).toMatchObject({
      ok: false,
      reason: 'private-address',
    });
    expect(await checkAddress(new URL('https://news.example/'), publicResolver)).toEqual({ ok: true });
    const mixed = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '::1', family: 6 },
    ];
    expect(await checkAddress(new URL('https://mixed.example/'), mixed)).toMatchObject({ ok: false, reason: 'private-address' });
    const nx = async () => {
      throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
    };
    expect(await checkAddress(new URL('https://nx.example/'), nx)).toMatchObject({ ok: false, reason: 'dns-failed' });
  });
});

describe('charset decoding', () => {
  const cp1252 = Buffer.from([0x93, 0x48, 0x69, 0x94, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x20, 0x96, 0x20, 0x80, 0x35]); // “Hi” café – €5
  it('sniffs windows-1252 when nothing declares a charset (and maps 0x80–0x9F properly)', () => {
    expect(decodeBody(cp1252, 'text/html')).toEqual({
      text: '\u201cHi\u201d caf\u00e9 \u2013 \u20ac5',
      encoding: 'windows-1252',
      from: 'sniffed',
    });
  });
  it('prefers BOM, then the header, then <meta charset>', () => {
    expect(
      decodeBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('caf\u00e9')]), 'text/html; charset=iso-8859-1'),
    ).toMatchObject({ text: 'caf\u00e9', from: 'bom' });
    expect(decodeBody(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'text/html; charset=ISO-8859-1')).toMatchObject({
      text: 'caf\u00e9',
      encoding: 'windows-1252',
      from: 'header',
    });
    const meta = Buffer.concat([Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><p>'), cp1252]);
    expect(decodeBody(meta, null)).toMatchObject({ encoding: 'windows-1252', from: 'meta' });
    expect(decodeBody(meta, null).text).toContain('\u201cHi\u201d');
    expect(decodeBody(Buffer.from('<p>caf\u00e9</p>'), 'text/html')).toMatchObject({
      text: '<p>caf\u00e9</p>',
      encoding: 'utf-8',
      from: 'sniffed',
    });
  });
  it('spots binary bodies', () => {
    expect(looksBinary(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]))).toBe(true);
    expect(looksBinary(Buffer.from('<html>plain</html>'))).toBe(false);
  });
});

describe('robots.txt', () => {
  const txt = `# comment
User-agent: *
Disallow: /private/
Allow: /private/press/
Disallow: /*.pdf$

User-agent: failscope
User-agent: otherbot
Disallow: /no-failscope/
Crawl-delay: 2
`;
  it('uses the group naming our product token, longest match wins, Allow wins ties', () => {
    const mine = parseRobots(txt, 'failscope');
    expect(mine.allows(new URL('https://x.example/private/a'))).toBe(true); // our own group has no /private/ rule
    expect(mine.allows(new URL('https://x.example/no-failscope/a'))).toBe(false);
    expect(mine.crawlDelayMs).toBe(2000);
    const other = parseRobots(txt, 'somebot');
    expect(other.allows(new URL('https://x.example/private/a'))).toBe(false);
    expect(other.allows(new URL('https://x.example/private/press/release'))).toBe(true);
    expect(other.allows(new URL('https://x.example/files/report.pdf'))).toBe(false);
    expect(other.allows(new URL('https://x.example/files/report.pdf?x=1'))).toBe(true);
    expect(other.allows(new URL('https://x.example/robots.txt'))).toBe(true);
    expect(parseRobots('', 'failscope').allows(new URL('https://x.example/anything'))).toBe(true);
  });

  it('matches agents without case or version, compares percent-encodings, breaks length ties for Allow, and reads Crawl-delay from * when we have no group', () => {
    const versioned = parseRobots('User-agent: FailScope/2.1\nDisallow: /drafts\n', 'failscope');
    expect(versioned.allows(new URL('https://x.example/drafts/1'))).toBe(false);
    const encoded = parseRobots('User-agent: *\nDisallow: /café/\nDisallow: /a%2fb\n', 'failscope');
    expect(encoded.allows(new URL('https://x.example/caf%C3%A9/menu'))).toBe(false);
    expect(encoded.allows(new URL('https://x.example/cafe/menu'))).toBe(true);
    const tie = parseRobots('User-agent: *\nDisallow: /page\nAllow: /page\nDisallow: /*.php\nAllow: /pub*\n', 'failscope');
    expect(tie.allows(new URL('https://x.example/page'))).toBe(true);
    expect(tie.allows(new URL('https://x.example/pub/x.php'))).toBe(false); // /*.php (6) is longer than /pub* (5)
    const delayed = parseRobots('User-agent: *\nCrawl-delay: 1.5\nDisallow: /tmp\n', 'failscope');
    expect(delayed.crawlDelayMs).toBe(1500);
    expect(
      parseRobots('User-agent: failscope\nDisallow:\n\nUser-agent: *\nDisallow: /\n', 'failscope').allows(new URL('https://x.example/any')),
    ).toBe(true);
  });
});

describe('search queries', () => {
  it('makes one query per keyword × outlet × window, FAIL-style, into the Google News RSS template', () => {
    const config = SearchConfig.parse({
      keywords: ['bug', 'side effect'],
      outlets: ['wired.com', 'bbc.co.uk'],
      windows: { from: '2022-03-01', to: '2022-05-01' },
    });
    expect(windowsOf(config)).toEqual([
      { after: '2022-03-01', before: '2022-04-01' },
      { after: '2022-04-01', before: '2022-05-01' },
    ]);
    const qs = searchQueries(config);
    expect(qs).toHaveLength(8);
    expect(qs[0].query).toBe('software bug after:2022-03-01 before:2022-04-01 site:wired.com');
    expect(qs[0].url).toBe(
      'https://news.google.com/rss/search?q=software%20bug%20after%3A2022-03-01%20before%3A2022-04-01%20site%3Awired.com&hl=en-US&gl=US&ceid=US:en',
    );
    expect(qs.at(-1)!.query).toBe('software side effect after:2022-04-01 before:2022-05-01 site:bbc.co.uk');
  });
  it('drops the site filter without outlets, clips the last window and takes a custom endpoint', () => {
    const config = SearchConfig.parse({
      template: 'https://search.example/rss?q={query}',
      keywords: ['crash'],
      windows: { from: '2024-01-01', to: '2024-01-20', step: 'week' },
    });
    const qs = searchQueries(config);
    expect(qs.map((q) => q.before)).toEqual(['2024-01-08', '2024-01-15', '2024-01-20']);
    expect(qs[0].query).toBe('software crash after:2024-01-01 before:2024-01-08');
    expect(qs[0].url.startsWith('https://search.example/rss?q=software%20crash')).toBe(true);
  });
  it('the example config is valid: 14 keywords × its outlets × one month', () => {
    const config = loadSearchConfig('data/search-example.json');
    expect(config.keywords).toHaveLength(14);
    expect(windowsOf(config)).toHaveLength(1);
    expect(searchQueries(config)).toHaveLength(14 * config.outlets.length);
  });
  it('rejects a bad config naming the field', () => {
    expect(() => SearchConfig.parse({ keywords: [], windows: [] })).toThrow();
    expect(SearchConfig.safeParse({ keywords: ['x'], windows: [{ after: '2024-1-1', before: '2024-02-01' }] }).success).toBe(false);
    expect(
      SearchConfig.safeParse({ template: 'https://x/?q=', keywords: ['x'], windows: [{ after: '2024-01-01', before: '2024-02-01' }] })
        .success,
    ).toBe(false);
  });
});

describe('feeds', () => {
  it('reads RSS and Atom items and rejects malformed XML', async () => {
    const rss = await parseFeed(
      '<rss version="2.0"><channel><title>T</title><item><title>A</title><link>https://n.example/a</link><pubDate>Tue, 01 Mar 2022 10:00:00 GMT</pubDate></item><item><title>no link</title></item></channel></rss>',
    );
    expect(rss).toMatchObject({
      ok: true,
      items: [{ link: 'https://n.example/a', title: 'A', published: '2022-03-01T10:00:00.000Z' }],
      skipped: 1,
    });
    const atom = await parseFeed(
      '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>B</title><link href="https://n.example/b"/><updated>2022-03-02T00:00:00Z</updated></entry></feed>',
    );
    expect(atom).toMatchObject({ ok: true, items: [{ link: 'https://n.example/b', title: 'B' }] });
    expect(await parseFeed('<rss><channel><item><title>broken</item></channel>')).toMatchObject({ ok: false });
    expect(await parseFeed('<html><body>not a feed</body></html>')).toMatchObject({ ok: false });
    expect(looksLikeFeed('<?xml version="1.0"?>\n<rss version="2.0">', 'text/xml')).toBe(true);
    expect(looksLikeFeed('<!doctype html><html>', 'text/html')).toBe(false);
  });
});

describe('page extraction', () => {
  const paragraphs = prose(1);
  it('extracts title, byline, outlet, date and text; honours <link rel=canonical>', () => {
    const html = articleHtml({
      title: 'Bank app outage',
      paragraphs,
      author: 'A. Writer',
      date: '2024-03-05T10:00:00Z',
      site: 'The Example Times',
      canonical: '/news/bank-app-outage?utm_source=x',
    });
    const r = extractPage(html, { requestedUrl: 'https://news.example/amp/1', finalUrl: 'https://news.example/amp/1', minWords: 100 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.canonicalUrl).toBe('https://news.example/news/bank-app-outage');
    expect(r.article).toMatchObject({
      headline: 'Bank app outage',
      source: 'The Example Times',
      published: '2024-03-05',
      url: 'https://news.example/news/bank-app-outage',
      origin: 'https://news.example/amp/1',
    });
    expect(r.byline).toBe('A. Writer');
    expect(r.article.text).toContain(paragraphs[0]);
    expect(r.opinion).toBe(false);
  });
  it('reads the date from JSON-LD or <time>, falls back to feed hints', () => {
    const ld = `<html><head><title>T</title><script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2023-07-01T08:00:00Z","author":{"name":"Ld Author"},"publisher":{"name":"Ld Outlet"}}</script></head><body><article>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</article></body></html>`;
    const r = extractPage(ld, { requestedUrl: 'https://n.example/x', finalUrl: 'https://n.example/x', minWords: 100 });
    expect(r).toMatchObject({ ok: true, article: { published: '2023-07-01' } });
    const time = `<html><head><title>T</title></head><body><article><time datetime="2021-02-03">Feb 3</time>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</article></body></html>`;
    expect(extractPage(time, { requestedUrl: 'https://n.example/y', finalUrl: 'https://n.example/y', minWords: 100 })).toMatchObject({
      ok: true,
      article: { published: '2021-02-03' },
    });
    const bare = articleHtml({ title: '', paragraphs });
    expect(
      extractPage(bare, {
        requestedUrl: 'https://n.example/z',
        finalUrl: 'https://n.example/z',
        hintTitle: 'From the feed',
        hintPublished: 'Tue, 01 Mar 2022 10:00:00 GMT',
        minWords: 100,
      }),
    ).toMatchObject({ ok: true, article: { headline: 'From the feed', published: '2022-03-01', source: 'n.example' } });
  });
  it('flags opinion pieces by section, JSON-LD type, headline or URL path', () => {
    const ctx = (u: string) => ({ requestedUrl: u, finalUrl: u, minWords: 100 });
    expect(extractPage(articleHtml({ title: 'A view', paragraphs, section: 'Opinion' }), ctx('https://n.example/a'))).toMatchObject({
      opinion: true,
    });
    expect(extractPage(articleHtml({ title: 'Opinion: software needs tests', paragraphs }), ctx('https://n.example/b'))).toMatchObject({
      opinion: true,
    });
    expect(extractPage(articleHtml({ title: 'A view', paragraphs }), ctx('https://n.example/commentisfree/2024/c'))).toMatchObject({
      opinion: true,
    });
    expect(extractPage(articleHtml({ title: 'Plain news', paragraphs }), ctx('https://n.example/news/d'))).toMatchObject({
      opinion: false,
    });
  });
  it('fewer than 100 words is a scrape failure', () => {
    const r = extractPage(articleHtml({ title: 'Short', paragraphs: ['Only a few words here.'] }), {
      requestedUrl: 'https://n.example/s',
      finalUrl: 'https://n.example/s',
      minWords: 100,
    });
    expect(r).toMatchObject({ ok: false, reason: 'too-short' });
    expect(countWords("It's a well-known 3.5-hour outage.")).toBe(5);
  });
});

describe('near-duplicates', () => {
  const original = prose(7, 300).join('\n');
  it('links a syndicated copy (new headline line, an extra paragraph) and not an unrelated story', () => {
    const copy = `Republished with permission.\n${original}\n${prose(99, 30).join(' ')}`;
    const other = prose(8, 300).join('\n');
    expect(similarity(minhash(original), minhash(copy))).toBeGreaterThan(0.7);
    expect(similarity(minhash(original), minhash(other))).toBeLessThan(0.1);
    const index = new NearDuplicateIndex(0.6);
    index.add('orig', fromBlob(toBlob(minhash(original))));
    expect(index.match(minhash(copy))).toMatchObject({ articleId: 'orig' });
    expect(index.match(minhash(other))).toBeNull();
  });
});

describe('politeness gate', () => {
  it('keeps one request in flight per host while other hosts go ahead', async () => {
    const gate = new HostGate({ perHost: 1, delayMs: 0 });
    let release!: () => void;
    const first = gate.run(
      'a.example',
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    let secondRan = false;
    const second = gate.run('a.example', async () => {
      secondRan = true;
    });
    expect(await gate.run('b.example', async () => 'b')).toBe('b'); // another host is not held up
    await new Promise((r) => setImmediate(r));
    expect(secondRan).toBe(false); // the same host waits for its first request
    release();
    await Promise.all([first, second]);
    expect(secondRan).toBe(true);
  });
});
