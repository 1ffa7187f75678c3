import { Readable } from 'node:stream';
import nock from 'nock';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { collect, queueInputs } from '../pipeline/collect/collect.ts';
import { SearchConfig } from '../schemas/collect.ts';
import { Store } from '../pipeline/store/store.ts';
import { articleHtml, prose, rssFeed, tempStore, testOptions } from './collect-fixtures.ts';

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

const NEWS = 'https://news.example';
const BAD = 'https://bad.example';
const SEARCH = 'https://search.example';

/** Counts requests per path on a nock scope, so tests can assert that nothing was fetched twice. */
function counter(scope: nock.Scope): Map<string, number> {
  const seen = new Map<string, number>();
  scope.on('request', (req: { path: string }) => seen.set(req.path, (seen.get(req.path) ?? 0) + 1));
  return seen;
}

const byUrl = (store: Store) => new Map(store.fetches.list().map((f) => [f.requestedUrl, f]));

describe('collect: a mixed run', () => {
  it('collects every good page and records every bad URL with its reason, in the same run', async () => {
    const { store } = tempStore();
    const a1 = prose(1),
      a2 = prose(2),
      a3 = prose(3),
      a4 = prose(4);
    const latin = [
      'Caf\u00e9 owners said the \u201ccard reader\u201d outage \u2013 which lasted hours \u2013 cost them sales.',
      ...prose(5),
    ];

    const news = nock(NEWS);
    const newsHits = counter(news);
    news.get('/robots.txt').reply(200, 'User-agent: *\nDisallow: /private/\n', { 'Content-Type': 'text/plain' });
    news.get('/feed.xml').reply(
      200,
      rssFeed([
        { link: `${NEWS}/a1`, title: 'Story one', date: '2024-03-02' },
        { link: `${NEWS}/a1?utm_source=rss&utm_medium=feed`, title: 'Story one again' },
        { link: '/a2', title: 'Story two (relative link)' },
        { link: `${NEWS}/private/memo`, title: 'Disallowed by robots.txt' },
        { link: 'http://10.0.0.7/admin', title: 'A private address in a feed' },
        { link: 'https://internal.example/page', title: 'A name resolving to a private address' },
        { link: `${NEWS}/gone`, title: 'Removed' },
        { link: `${NEWS}/syndicated`, title: 'A wire copy of story one' },
        { link: `${NEWS}/same-text`, title: 'Story two under another URL' },
        { link: `${NEWS}/amp/a1`, title: 'AMP copy of story one' },
      ]),
      { 'Content-Type': 'application/rss+xml; charset=utf-8' },
    );
    news
      .get('/a1')
      .reply(
        200,
        articleHtml({ title: 'Story one', paragraphs: a1, author: 'Writer One', site: 'News Example', date: '2024-03-02T08:00:00Z' }),
        { 'Content-Type': 'text/html; charset=utf-8' },
      );
    news.get('/a2').reply(200, articleHtml({ title: 'Story two', paragraphs: a2 }), { 'Content-Type': 'text/html' });
    news.get('/gone').reply(404, 'not here');
    news
      .get('/syndicated')
      .reply(
        200,
        articleHtml({ title: 'Wire: story one', paragraphs: ['Distributed by a wire service.', ...a1, 'Copyright the wire service.'] }),
        { 'Content-Type': 'text/html' },
      );
    news.get('/same-text').reply(200, articleHtml({ title: 'Story two, again', paragraphs: a2 }), { 'Content-Type': 'text/html' });
    news
      .get('/amp/a1')
      .reply(200, articleHtml({ title: 'Story one (AMP)', paragraphs: a1, canonical: `${NEWS}/a1` }), { 'Content-Type': 'text/html' });
    news.get('/a3').reply(200, articleHtml({ title: 'Story three', paragraphs: a3 }), { 'Content-Type': 'text/html' });

    const search = nock(SEARCH);
    search.get('/robots.txt').reply(404);
    search
      .get('/rss')
      .query({ q: 'software crash after:2024-03-01 before:2024-04-01 site:news.example' })
      .reply(
        200,
        rssFeed([
          { link: `${NEWS}/a1`, title: 'Story one' },
          { link: `${BAD}/r1`, title: 'Through a redirect chain' },
        ]),
        { 'Content-Type': 'application/rss+xml' },
      );

    const bad = nock(BAD);
    bad.get('/robots.txt').reply(404);
    bad.get('/r1').reply(301, '', { Location: '/r2' });
    bad.get('/r2').reply(302, '', { Location: `${NEWS}/a3` });
    bad.get('/loop1').reply(302, '', { Location: '/loop2' });
    bad.get('/loop2').reply(302, '', { Location: `${BAD}/loop1` });
    bad.get('/err').times(3).reply(500, 'boom');
    bad
      .get('/slow')
      .delay(30_000)
      .reply(200, articleHtml({ title: 'Too late', paragraphs: a4 }), { 'Content-Type': 'text/html' });
    bad.get('/drip').reply(
      200,
      () =>
        new Readable({
          read() {
            /* headers sent, body never ends */
          },
        }),
      { 'Content-Type': 'text/html' },
    );
    let streamed = 0;
    bad.get('/huge').reply(
      200,
      () =>
        new Readable({
          read() {
            if (streamed >= 50 * 1024 * 1024) {
              this.push(null);
              return;
            }
            streamed += 1024 * 1024;
            this.push(Buffer.alloc(1024 * 1024, 'a'));
          },
        }),
      { 'Content-Type': 'text/html' },
    );
    bad.get('/huge-declared').reply(200, 'x', { 'Content-Type': 'text/html', 'Content-Length': String(50 * 1024 * 1024) });
    bad
      .get('/image.png')
      .reply(200, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), { 'Content-Type': 'image/png' });
    bad.get('/nul').reply(200, Buffer.from([0x3c, 0x68, 0, 0, 0x01, 0x02]), { 'Content-Type': 'text/html' });
    bad.get('/latin1').reply(
      200,
      Buffer.from(
        articleHtml({ title: 'Card readers down', paragraphs: latin, charset: null }).replace(
          /[\u2013\u201c\u201d]/g,
          (c) => ({ '\u2013': '\x96', '\u201c': '\x93', '\u201d': '\x94' })[c]!,
        ),
        'latin1',
      ),
      { 'Content-Type': 'text/html' },
    );
    bad.get('/bad-feed.xml').reply(200, '<?xml version="1.0"?><rss version="2.0"><channel><title>Broken<item><title>x</channel>', {
      'Content-Type': 'application/rss+xml',
    });
    bad
      .get('/short')
      .reply(200, articleHtml({ title: 'Short', paragraphs: ['Just a teaser, subscribe to read more.'] }), { 'Content-Type': 'text/html' });

    const config = SearchConfig.parse({
      template: `${SEARCH}/rss?q={query}`,
      keywords: ['crash'],
      outlets: ['news.example'],
      windows: { from: '2024-03-01', to: '2024-04-01' },
    });
    const badUrls = ['/loop1', '/err', '/slow', '/drip', '/huge', '/huge-declared', '/image.png', '/nul', '/latin1', '/short'].map((p) => ({
      url: `${BAD}${p}`,
      source: 'cli',
    }));
    const q = queueInputs(store, {
      feeds: [
        { url: `${NEWS}/feed.xml`, source: 'cli' },
        { url: `${BAD}/bad-feed.xml`, source: 'cli' },
      ],
      search: { config, source: 'search:test' },
      urls: [...badUrls, { url: 'ftp://bad.example/file.txt', source: 'urls.txt:3' }, { url: 'not a url', source: 'urls.txt:4' }],
    });
    expect(q).toMatchObject({ given: 15, queued: 15 });
    expect(q.refused.map((r) => r.reason)).toEqual(['unsupported-scheme', 'invalid-url']);

    const opts = testOptions({ robots: true, timeoutMs: 1500, connectTimeoutMs: 1000, maxBytes: 1024 * 1024 });
    const summary = await collect(store, opts);

    const rows = byUrl(store);
    const expectRow = (url: string, state: string, reason: string | null, extra: Record<string, unknown> = {}) =>
      expect(rows.get(url), url).toMatchObject({ state, reason, ...extra });

    // good pages, from a feed, from a search feed through a redirect chain, and a windows-1252 page
    expectRow(`${NEWS}/a1`, 'fetched', null, { byline: 'Writer One', finalUrl: `${NEWS}/a1` });
    expectRow(`${NEWS}/a2`, 'fetched', null);
    expectRow(`${BAD}/r1`, 'fetched', null, { finalUrl: `${NEWS}/a3` });
    expect(rows.get(`${BAD}/r1`)!.source).toMatch(/^https:\/\/search\.example\/rss\?q=software\+crash\+after/); // the search feed that found it
    expectRow(`${BAD}/latin1`, 'fetched', null);
    expectRow(`${NEWS}/feed.xml`, 'fetched', null, { kind: 'feed', items: 10 });
    // duplicates, linked to their original
    const a1Id = rows.get(`${NEWS}/a1`)!.articleId!;
    const a2Id = rows.get(`${NEWS}/a2`)!.articleId!;
    expectRow(`${NEWS}/amp/a1`, 'duplicate', 'same-url', { duplicateOf: a1Id });
    expectRow(`${NEWS}/syndicated`, 'duplicate', 'near-duplicate', { duplicateOf: a1Id });
    expectRow(`${NEWS}/same-text`, 'duplicate', 'same-content', { duplicateOf: a2Id });
    expect(rows.has(`${NEWS}/a1?utm_source=rss&utm_medium=feed`)).toBe(false); // same canonical URL: never queued
    // failures, each with its reason
    expectRow(`${NEWS}/private/memo`, 'failed', 'robots-disallowed');
    expectRow('http://10.0.0.7/admin', 'failed', 'private-address');
    expectRow('https://internal.example/page', 'failed', 'private-address');
    expectRow(`${NEWS}/gone`, 'failed', 'http-error', { httpStatus: 404 });
    expectRow(`${BAD}/err`, 'failed', 'http-error', { httpStatus: 500, attempts: 1 });
    expectRow(`${BAD}/loop1`, 'failed', 'redirect-loop');
    expectRow(`${BAD}/slow`, 'failed', 'timeout');
    expect(rows.get(`${BAD}/slow`)!.detail).toMatch(/no response .* within 1000 ms/);
    expectRow(`${BAD}/drip`, 'failed', 'timeout', { httpStatus: 200 });
    expect(rows.get(`${BAD}/drip`)!.detail).toMatch(/did not finish within 1500 ms/);
    expectRow(`${BAD}/huge`, 'failed', 'too-large');
    expectRow(`${BAD}/huge-declared`, 'failed', 'too-large');
    expectRow(`${BAD}/image.png`, 'failed', 'unsupported-content');
    expectRow(`${BAD}/nul`, 'failed', 'unsupported-content');
    expectRow(`${BAD}/bad-feed.xml`, 'failed', 'malformed-feed');
    expectRow(`${BAD}/short`, 'failed', 'too-short', { words: 7 });
    expect(rows.get('ftp://bad.example/file.txt')).toMatchObject({ state: 'failed', reason: 'unsupported-scheme', attempts: 0 });
    expect(rows.get('ftp://bad.example/file.txt')!.detail).toContain('urls.txt:3');
    expect(rows.get('not a url')).toMatchObject({ state: 'failed', reason: 'invalid-url' });

    // the 500 was retried with backoff, then given up
    expect(opts.waits).toEqual([10, 20]);
    // the size cap stopped reading: far less than 50 MB went through our reader
    const readBeforeStop = Number(/stopped reading at (\d+) bytes/.exec(rows.get(`${BAD}/huge`)!.detail!)![1]);
    expect(readBeforeStop).toBeGreaterThan(1024 * 1024);
    expect(readBeforeStop).toBeLessThanOrEqual(2 * 1024 * 1024); // the cap plus at most one chunk, not 50 MB

    // collected pages are articles the pipeline can use; duplicates are kept but linked
    const articles = store.articles.list();
    expect(articles.map((a) => a.headline).sort()).toEqual(['Card readers down', 'Story one', 'Story three', 'Story two']);
    const latinArticle = articles.find((a) => a.headline === 'Card readers down')!;
    expect(latinArticle.text).toContain('Caf\u00e9 owners said the \u201ccard reader\u201d outage \u2013 which');
    const one = articles.find((a) => a.headline === 'Story one')!;
    expect(one).toMatchObject({ source: 'News Example', published: '2024-03-02', url: `${NEWS}/a1`, origin: `${NEWS}/a1` });
    expect(store.articles.list({ includeDuplicates: true })).toHaveLength(6); // + the wire copy and the same-text copy

    const counts = store.fetches.counts();
    expect(counts.pages).toEqual({ pending: 0, fetched: 4, failed: 15, duplicate: 3 });
    expect(counts.feeds).toEqual({ pending: 0, fetched: 2, failed: 1, duplicate: 0 });
    expect(counts.failedByReason).toMatchObject({
      'http-404': 1,
      'http-500': 1,
      'private-address': 2,
      timeout: 2,
      'too-large': 2,
      'unsupported-content': 2,
      'malformed-feed': 1,
    });
    expect(counts.duplicateByReason).toEqual({ 'near-duplicate': 1, 'same-content': 1, 'same-url': 1 });
    expect(summary).toMatchObject({ jobs: 23, fetched: 6, failed: 14, duplicate: 3, interrupted: false }); // the two refused when queued never ran
    // robots.txt once per host; every page once
    expect(newsHits.get('/robots.txt')).toBe(1);
    expect([...newsHits.values()].every((n) => n === 1)).toBe(true);
    expect(news.isDone() && search.isDone()).toBe(true);
    store.close();
  });

  it('re-checks the address guard on every redirect hop', async () => {
    const { store } = tempStore();
    nock(NEWS).get('/out').reply(302, '', { Location: 'http://169.254.169.254/latest/meta-data/' });
    nock(NEWS).get('/out6').reply(302, '', { Location: 'http://[::ffff:127.0.0.1]:8080/' });
    nock(NEWS).get('/file').reply(302, '', { Location: 'file:///etc/passwd' });
    queueInputs(store, { urls: ['/out', '/out6', '/file'].map((p) => ({ url: `${NEWS}${p}`, source: 'cli' })) });
    await collect(store, testOptions());
    const rows = byUrl(store);
    expect(rows.get(`${NEWS}/out`)).toMatchObject({ state: 'failed', reason: 'private-address' });
    expect(rows.get(`${NEWS}/out`)!.detail).toContain('redirected to http://169.254.169.254/');
    expect(rows.get(`${NEWS}/out6`)).toMatchObject({ state: 'failed', reason: 'private-address' });
    expect(rows.get(`${NEWS}/file`)).toMatchObject({ state: 'failed', reason: 'unsupported-scheme' });
    store.close();
  });

  it('--allow-private lets a private address through', async () => {
    const { store } = tempStore();
    nock('http://10.0.0.7')
      .get('/page')
      .reply(200, articleHtml({ title: 'Intranet page', paragraphs: prose(11) }), { 'Content-Type': 'text/html' });
    queueInputs(store, { urls: [{ url: 'http://10.0.0.7/page', source: 'cli' }] });
    await collect(store, testOptions({ allowPrivate: true }));
    expect(store.fetches.get('http://10.0.0.7/page')).toMatchObject({ state: 'fetched' });
    store.close();
  });

  it('keeps a page dated after today as given, and says so', async () => {
    const { store } = tempStore();
    const next = `${new Date().getUTCFullYear() + 1}-03-02`;
    nock(NEWS)
      .get('/robots.txt')
      .reply(404)
      .get('/ahead')
      .reply(200, articleHtml({ title: 'Dated ahead', paragraphs: prose(15), date: `${next}T10:00:00Z` }), { 'Content-Type': 'text/html' })
      .get('/today')
      .reply(200, articleHtml({ title: 'Dated today', paragraphs: prose(16), date: new Date().toISOString() }), {
        'Content-Type': 'text/html',
      });
    queueInputs(store, { urls: ['ahead', 'today'].map((p) => ({ url: `${NEWS}/${p}`, source: 'cli' })) });
    await collect(store, testOptions());
    const ahead = store.fetches.get(`${NEWS}/ahead`)!;
    expect(ahead).toMatchObject({ state: 'fetched', detail: `dated ${next}, after today: kept as given` });
    expect(store.articles.get(ahead.articleId!)!.published).toBe(next);
    expect(store.fetches.get(`${NEWS}/today`)).toMatchObject({ state: 'fetched', detail: null });
    store.close();
  });

  it('follows a redirect that only drops tracking parameters (no loop)', async () => {
    const { store } = tempStore();
    nock(NEWS)
      .get('/story')
      .query({ utm_source: 'rss' })
      .reply(301, '', { Location: '/story' })
      .get('/story')
      .reply(200, articleHtml({ title: 'Tracked story', paragraphs: prose(14) }), { 'Content-Type': 'text/html' });
    queueInputs(store, { urls: [{ url: `${NEWS}/story?utm_source=rss`, source: 'cli' }] });
    await collect(store, testOptions());
    expect(store.fetches.get(`${NEWS}/story`)).toMatchObject({
      state: 'fetched',
      finalUrl: `${NEWS}/story`,
      requestedUrl: `${NEWS}/story?utm_source=rss`,
    });
    store.close();
  });

  it('gives up on too many redirects', async () => {
    const { store } = tempStore();
    const s = nock(NEWS);
    for (let i = 0; i < 3; i++) s.get(`/hop${i}`).reply(302, '', { Location: `/hop${i + 1}` });
    queueInputs(store, { urls: [{ url: `${NEWS}/hop0`, source: 'cli' }] });
    await collect(store, testOptions({ maxRedirects: 2 }));
    expect(store.fetches.get(`${NEWS}/hop0`)).toMatchObject({ state: 'failed', reason: 'too-many-redirects' });
    store.close();
  });

  it('retries a 429 after the Retry-After it was given, then collects the page', async () => {
    const { store } = tempStore();
    nock(NEWS)
      .get('/busy')
      .reply(429, 'slow down', { 'Retry-After': '1' })
      .get('/busy')
      .reply(200, articleHtml({ title: 'Busy page', paragraphs: prose(12) }), { 'Content-Type': 'text/html' });
    nock(NEWS).get('/patience').reply(503, 'later', { 'Retry-After': '3600' });
    queueInputs(store, {
      urls: [
        { url: `${NEWS}/busy`, source: 'cli' },
        { url: `${NEWS}/patience`, source: 'cli' },
      ],
    });
    const opts = testOptions({ maxRetryAfterMs: 60_000 });
    await collect(store, opts);
    expect(store.fetches.get(`${NEWS}/busy`)).toMatchObject({ state: 'fetched' });
    expect(opts.waits).toEqual([1000]);
    expect(store.fetches.get(`${NEWS}/patience`)).toMatchObject({ state: 'failed', reason: 'http-error', httpStatus: 503 });
    expect(store.fetches.get(`${NEWS}/patience`)!.detail).toContain('Retry-After 3600 s');
    store.close();
  });

  it('a robots.txt that cannot be fetched (5xx) disallows the host, a missing one (404) allows it', async () => {
    const { store } = tempStore();
    nock('https://down.example').get('/robots.txt').times(3).reply(503);
    nock('https://open.example')
      .get('/robots.txt')
      .reply(404)
      .get('/p')
      .reply(200, articleHtml({ title: 'Open', paragraphs: prose(13) }), { 'Content-Type': 'text/html' });
    queueInputs(store, {
      urls: [
        { url: 'https://down.example/p', source: 'cli' },
        { url: 'https://open.example/p', source: 'cli' },
      ],
    });
    await collect(store, testOptions({ robots: true }));
    expect(store.fetches.get('https://down.example/p')).toMatchObject({ state: 'failed', reason: 'robots-disallowed' });
    expect(store.fetches.get('https://down.example/p')!.detail).toContain('robots.txt unreachable');
    expect(store.fetches.get('https://open.example/p')).toMatchObject({ state: 'fetched' });
    store.close();
  });
});

describe('collect: resuming and re-polling', () => {
  const pages = Array.from({ length: 8 }, (_, i) => `/p${i}`);

  function serveFeedAndPages(): { hits: Map<string, number>; scope: nock.Scope } {
    const scope = nock(NEWS).persist();
    const hits = counter(scope);
    scope.get('/feed.xml').reply(200, rssFeed(pages.map((p, i) => ({ link: `${NEWS}${p}`, title: `Page ${i}` }))), {
      'Content-Type': 'application/rss+xml',
      ETag: '"v1"',
    });
    pages.forEach((p, i) =>
      scope.get(p).reply(200, articleHtml({ title: `Page ${i}`, paragraphs: prose(100 + i) }), { 'Content-Type': 'text/html' }),
    );
    return { hits, scope };
  }

  it('an interrupted run, restarted, fetches nothing twice', async () => {
    const { store, path } = tempStore();
    const { hits } = serveFeedAndPages();
    queueInputs(store, { feeds: [{ url: `${NEWS}/feed.xml`, source: 'cli' }] });
    const stop = new AbortController();
    let done = 0;
    const first = await collect(
      store,
      testOptions({
        concurrency: 1,
        signal: stop.signal,
        onEvent: (e) => {
          if (e.kind === 'page' && ++done === 3) stop.abort();
        },
      }),
    );
    expect(first.interrupted).toBe(true);
    store.close();
    const partial = new Store(path);
    expect(partial.fetches.counts().pages).toMatchObject({ fetched: 3, pending: 5 });

    // a new process: re-queueing the same feed is a no-op, and only the pending pages are fetched
    expect(queueInputs(partial, { feeds: [{ url: `${NEWS}/feed.xml`, source: 'cli' }] }).queued).toBe(0);
    const second = await collect(partial, testOptions());
    expect(second).toMatchObject({ fetched: 5, failed: 0, interrupted: false });
    expect(partial.fetches.counts().pages).toMatchObject({ fetched: 8, pending: 0 });
    expect(hits.get('/feed.xml')).toBe(1);
    for (const p of pages) expect(hits.get(p), p).toBe(1);

    // and a third run has nothing to do
    const third = await collect(partial, testOptions());
    expect(third.jobs).toBe(0);
    expect([...hits.values()].reduce((a, b) => a + b, 0)).toBe(9);
    partial.close();
  });

  it('--refresh re-polls a feed with its ETag; a 304 changes nothing and fetches no page again', async () => {
    const { store } = tempStore();
    const { hits } = serveFeedAndPages();
    queueInputs(store, { feeds: [{ url: `${NEWS}/feed.xml`, source: 'cli' }] });
    await collect(store, testOptions());
    expect(store.fetches.get(`${NEWS}/feed.xml`)).toMatchObject({ state: 'fetched', etag: '"v1"' });
    nock.cleanAll();

    const conditional = nock(NEWS, { reqheaders: { 'if-none-match': '"v1"' } })
      .get('/feed.xml')
      .reply(304, '', { ETag: '"v1"' });
    expect(store.fetches.requeue({ feeds: true })).toBe(1);
    const again = await collect(store, testOptions());
    expect(conditional.isDone()).toBe(true);
    expect(again).toMatchObject({ jobs: 1, notModified: 1, fetched: 1, itemsQueued: 0 });
    expect(store.fetches.get(`${NEWS}/feed.xml`)).toMatchObject({ state: 'fetched', httpStatus: 304, items: 8 });
    expect(store.fetches.counts().pages).toMatchObject({ fetched: 8, pending: 0 });
    for (const p of pages) expect(hits.get(p), p).toBe(1);
    store.close();
  });

  it('--retry-failed tries failed URLs again', async () => {
    const { store } = tempStore();
    nock(NEWS)
      .get('/flaky')
      .reply(404)
      .get('/flaky')
      .reply(200, articleHtml({ title: 'Back', paragraphs: prose(21) }), { 'Content-Type': 'text/html' });
    queueInputs(store, { urls: [{ url: `${NEWS}/flaky`, source: 'cli' }] });
    await collect(store, testOptions());
    expect(store.fetches.get(`${NEWS}/flaky`)).toMatchObject({ state: 'failed', attempts: 1 });
    expect(store.fetches.requeue({ failed: true })).toBe(1);
    await collect(store, testOptions());
    expect(store.fetches.get(`${NEWS}/flaky`)).toMatchObject({ state: 'fetched', attempts: 2, reason: null });
    store.close();
  });
});
