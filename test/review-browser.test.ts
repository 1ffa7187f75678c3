import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { ingest } from '../pipeline/ingest/ingest.ts';
import { runPipeline } from '../pipeline/run.ts';
import { Store } from '../pipeline/store/store.ts';
import { startReviewServer, type ReviewServer } from '../pipeline/review/server.ts';
import { TAXONOMY } from '../schemas/index.ts';
import { tempDir } from './fixtures.ts';
import { CHROMIUM, SHOTS, XSS, launch, skipWithoutBrowser, watchedPage, xssLine } from './browser.ts';

const XSS_HEADLINE = XSS.headline;
describe.skipIf(skipWithoutBrowser('review-browser'))(`review page in a real browser (chromium at ${CHROMIUM})`, () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let srv: ReviewServer;
  let browser: Browser;
  let page: Page;
  let xssIncident: string;
  let problems: string[];
  /** Incidents whose detail the page has asked for: the page keeps them, so selecting one again asks nothing. */
  const requested = new Set<string>();

  beforeAll(async () => {
    dir = tempDir('failscope-review-browser-');
    const xssFile = join(dir.dir, 'xss.jsonl');
    writeFileSync(xssFile, xssLine());
    store = new Store(join(dir.dir, 'review.db'));
    const r = await ingest(store, ['data/sample/articles.jsonl', xssFile]);
    expect(r.problems).toEqual([]);
    const backend = new OfflineBackend();
    await runPipeline(store, backend, { settings: { backend: backend.name, model: backend.model, concurrency: 2, cache: true } });
    xssIncident = store.incidents.membership().get('xss-1')!;
    expect(xssIncident, 'the payload article is screened in and grouped').toBeDefined();
    srv = await startReviewServer({ store, port: 0 });
    browser = await launch();
    ({ page, problems } = await watchedPage(browser, 1440));
    page.on('request', (r) => {
      const m = /\/api\/incidents\/([^/?]+)$/.exec(new URL(r.url()).pathname);
      if (m) requested.add(decodeURIComponent(m[1]!));
    });
  });

  // A test that fails while holding an answer must not leave the next tests waiting on it.
  afterEach(async () => {
    await page?.unrouteAll({ behavior: 'ignoreErrors' });
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    store?.close();
    dir?.cleanup();
  });

  const activeId = () => page.locator('.queue-item.active').getAttribute('data-id');
  /** Holds the server's answers to `url` until released, as a slow server would. */
  const hold = async (url: string) => {
    let open!: () => void;
    const held = new Promise<void>((r) => (open = r));
    let asked = false;
    let answered: Promise<void> = Promise.resolve();
    await page.route(url, (route) => {
      asked = true;
      answered = held.then(() => route.continue());
      return answered;
    });
    return {
      asked: () => asked,
      // The held answer goes out before the route goes, so it is answered once.
      release: async () => {
        open();
        await answered;
        await page.unroute(url);
      },
    };
  };
  /** The queue's items, the incident the card shows, and an item of another incident the page has not loaded. */
  const otherIncident = async () => {
    const shown = (await page.locator('.card').getAttribute('data-incident'))!;
    const ids = await page.locator('.queue-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')!));
    const other = ids.find((id) => id.split(':')[1] !== shown && !requested.has(id.split(':')[1]!));
    expect(other, 'an item of an incident not loaded yet').toBeDefined();
    return { shown, ids, other: other! };
  };
  /** The card once the pane has settled: a filter change or a move reloads it, and a key then waits. */
  const settledCard = (attrs = '') => page.waitForSelector(`.review-pane:not([aria-busy]) .card${attrs}`);
  /** The queue in a new document: nothing loaded yet but the first item. */
  const freshQueue = async () => {
    await page.goto('about:blank');
    await page.goto(`${srv.url}#/queue`);
    await settledCard();
  };

  it('opens the queue, accepts one label and corrects another with the keyboard', async () => {
    await page.goto(srv.url);
    await page.locator('#reviewer').fill('Tess Reviewer');
    await page.selectOption('select[data-filter="kind"]', 'label');
    await page.waitForSelector('.queue-item.active');
    await settledCard('[data-kind="label"]');
    await page.locator('#reviewer').blur();

    // Accept the first, most uncertain label.
    const first = (await activeId())!;
    const [, incident1, dim1] = first.split(':');
    await page.keyboard.press('a');
    await expect.poll(() => store.review.list().length).toBe(1);
    await expect.poll(activeId).not.toBe(first);

    // Correct the next one: toggle an option with its number key, save with Enter.
    const second = (await activeId())!;
    const [, incident2, dim2] = second.split(':');
    // Two items in a row can share a dimension: the card to wait for is the one of the second incident.
    await settledCard(`[data-target="${dim2}"][data-incident="${incident2}"]`);
    const dim = TAXONOMY.find((d) => d.key === dim2)!;
    const model = store.records.labels(incident2).find((l) => l.dimension === dim2)!.options;
    const pressed = await page.locator('.card .option').evaluateAll((els) => els.map((e) => e.getAttribute('aria-pressed') === 'true'));
    expect(dim.options.filter((_, i) => pressed[i]).map((o) => o.key)).toEqual(model.filter((o) => o !== 'unknown'));
    // Toggle option 1, unless that would leave nothing chosen; then option 2.
    const key = !model.includes(dim.options[0].key) || model.length > 1 ? 0 : 1;
    const opt = dim.options[key].key;
    const real: readonly string[] = model.filter((o) => o !== 'unknown');
    const expected: readonly string[] =
      dim.kind === 'boolean' ? [opt] : dim.options.map((o) => o.key).filter((o) => (o === opt ? !real.includes(o) : real.includes(o)));
    await page.keyboard.press(String(key + 1));
    await expect
      .poll(() => page.locator(`.card .option[data-option="${opt}"]`).getAttribute('aria-pressed'))
      .toBe(expected.includes(opt) ? 'true' : 'false');
    await page.keyboard.press('Enter');
    await expect.poll(() => store.review.list().length).toBe(2);

    const [a, c] = store.review.list();
    expect(a).toMatchObject({ incidentId: incident1, kind: 'label', target: dim1, action: 'accept', reviewer: 'Tess Reviewer' });
    expect(a.options).toEqual(store.records.labels(incident1).find((l) => l.dimension === dim1)!.options);
    expect(c).toMatchObject({
      incidentId: incident2,
      kind: 'label',
      target: dim2,
      action: 'change',
      reviewer: 'Tess Reviewer',
      options: expected,
    });
    expect(c.snapshot?.options).toEqual(model);
    expect(Date.parse(c.createdAt)).not.toBeNaN();
  });

  it('keeps both decisions across a reload', async () => {
    await page.reload();
    await page.selectOption('select[data-filter="status"]', 'reviewed');
    await expect.poll(() => page.locator('.queue-item').count()).toBe(2);
    await expect.poll(() => page.locator('.queue-item.done').count()).toBe(2);
    expect(await page.locator('#reviewer').inputValue()).toBe('Tess Reviewer');
    await page.goto(`${srv.url}#/agreement`);
    await page.waitForSelector('.agreement-table');
    expect(await page.locator('.lead').textContent()).toMatch(/matched the reviewer's on 1 of 2 reviewed labels \(50%\)/);
  });

  it("shows no card while the next item loads, so a key pressed then cannot edit the previous item's card", async () => {
    await page.goto(`${srv.url}#/queue`);
    await page.selectOption('select[data-filter="status"]', 'open');
    await page.selectOption('select[data-filter="kind"]', 'label');
    await settledCard('[data-kind="label"]');
    const { other: next } = await otherIncident();
    const [, incident, dim] = next.split(':');
    // Hold the next incident's detail until the key has been pressed.
    const detail = await hold('**/api/incidents/**');
    await page.locator(`.queue-item[data-id="${next}"]`).click();
    await expect.poll(detail.asked).toBe(true);
    expect(await page.locator('.card').count()).toBe(0);
    expect(await page.locator('.card-col').textContent()).toBe('Loading…');
    expect(await page.locator('.review-pane').getAttribute('aria-busy')).toBe('true');
    await page.keyboard.press('1');
    await detail.release();
    await settledCard(`[data-target="${dim}"][data-incident="${incident}"]`);
    expect(await page.locator('.review-pane').getAttribute('aria-busy')).toBeNull();
    const model = store.records.labels(incident).find((l) => l.dimension === dim)!.options;
    const pressed = await page
      .locator('.card .option[aria-pressed="true"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-option')));
    expect(pressed).toEqual(
      TAXONOMY.find((d) => d.key === dim)!
        .options.map((o) => o.key)
        .filter((k) => model.includes(k)),
    );
    expect(problems).toEqual([]);
  });

  it('says so in the card when an item does not load, and the next one still does', async () => {
    await freshQueue();
    const { shown, ids, other } = await otherIncident();
    await page.route('**/api/incidents/**', (route) =>
      route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'disk on fire' }) }),
    );
    await page.locator(`.queue-item[data-id="${other}"]`).click();
    await expect.poll(() => page.locator('.card-col').textContent()).toMatch(/did not load: .*disk on fire/);
    expect(await page.locator('.review-pane').getAttribute('aria-busy')).toBeNull();
    await page.unroute('**/api/incidents/**');
    await page.locator(`.queue-item[data-id="${ids.find((id) => id.split(':')[1] === shown)}"]`).click();
    await settledCard(`[data-incident="${shown}"]`);
    // The browser logs the 500 answer, which this test asked for.
    problems.length = 0;
  });

  it('stays busy while the list reloads, though the item selected before arrives meanwhile', async () => {
    await freshQueue();
    const { other } = await otherIncident();
    const detail = await hold('**/api/incidents/**');
    await page.locator(`.queue-item[data-id="${other}"]`).click();
    await expect.poll(detail.asked).toBe(true);
    // A filter change reloads the list; the card that arrives before the new list belongs to the old one.
    const queue = await hold('**/api/queue?**');
    await page.selectOption('select[data-filter="kind"]', 'fact');
    await expect.poll(queue.asked).toBe(true);
    await detail.release();
    await page.waitForSelector(`.card[data-incident="${other.split(':')[1]}"]`);
    expect(await page.locator('.review-pane').getAttribute('aria-busy')).toBe('true');
    await queue.release();
    await settledCard('[data-kind="fact"]');
    await page.selectOption('select[data-filter="kind"]', 'label');
    await settledCard('[data-kind="label"]');
  });

  it('shows article text with script payloads as inert text', async () => {
    await page.goto(`${srv.url}#/queue?incident=${encodeURIComponent(xssIncident)}`);
    await page.waitForSelector('.source');
    const headline = page.locator('[id="article-xss-1"] h3');
    expect(await headline.textContent()).toBe(XSS_HEADLINE);
    expect(await page.locator('[id="article-xss-1"] .article-text').textContent()).toContain('<script>window.__xss=2</script>');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('.source script, .source b, .source img').count()).toBe(0);

    await page.goto(`${srv.url}#/incident/${encodeURIComponent(xssIncident)}`);
    await page.waitForSelector('.record h1');
    expect(await page.locator('.source-list').textContent()).toContain('Test Wire <b>bold</b>');
    // The javascript: URL is shown, never made a link.
    expect(await page.locator('.source-list a').count()).toBe(0);

    await page.goto(`${srv.url}#/browse`);
    await page.locator('.search').fill('Quillfield');
    await page.locator('.search').press('Enter');
    await expect.poll(() => page.locator('.incident-row').count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('saves a screenshot of the queue with highlighted evidence', async () => {
    await page.goto(`${srv.url}#/queue`);
    await page.selectOption('select[data-filter="status"]', 'open');
    await page.selectOption('select[data-filter="kind"]', 'label');
    await page.selectOption('select[data-filter="dimension"]', 'behaviour');
    await page.waitForSelector('.queue-item');
    // An item whose label cites evidence, so the spans show.
    const reviewed = new Set(store.review.list().map((d) => `${d.incidentId}|${d.target}`));
    const cited = store.incidents
      .list()
      .find(
        (i) =>
          !reviewed.has(`${i.id}|behaviour`) &&
          store.records.labels(i.id).some((l) => l.dimension === 'behaviour' && l.citations.length > 1),
      )!;
    await page.locator(`.queue-item[data-id="label:${cited.id}:behaviour"]`).click();
    await settledCard(`[data-target="behaviour"][data-incident="${cited.id}"]`);
    await page.waitForSelector('mark.cite.current');
    // The shot shows option 2 toggled: waited for by its state, not by a pause.
    const option2 = page.locator('.card[data-target="behaviour"] .option').nth(1);
    const was = await option2.getAttribute('aria-pressed');
    await page.keyboard.press('2');
    await expect.poll(() => option2.getAttribute('aria-pressed')).not.toBe(was);
    const file = join(SHOTS, 'review-1280.png');
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.screenshot({ path: file });
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(existsSync(file)).toBe(true);
    expect(await page.locator('mark.cite').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it("highlights only the current item's passages; the rest of what is cited is a faint underline", async () => {
    await page.waitForSelector('mark.cite.current');
    const marks = await page.locator('.articles-col mark.cite').evaluateAll((els) =>
      els.map((e) => ({
        current: e.classList.contains('current'),
        background: getComputedStyle(e).backgroundColor,
        length: e.textContent!.length,
      })),
    );
    const others = marks.filter((m) => !m.current);
    expect(others.length).toBeGreaterThan(0);
    for (const m of others) expect(m.background).toBe('rgba(0, 0, 0, 0)');
    for (const m of marks.filter((x) => x.current)) expect(m.background).not.toBe('rgba(0, 0, 0, 0)');
    // Every fact and label cites whole sentences, so together they cover much of the text: that is why
    // it was nearly all highlighted. The highlighted share is now the current item's alone.
    const text = (await page.locator('.articles-col .article-text').allTextContents()).join('').length;
    const all = marks.reduce((n, m) => n + m.length, 0),
      current = marks.filter((m) => m.current).reduce((n, m) => n + m.length, 0);
    expect(all / text).toBeGreaterThan(0.4);
    expect(current).toBeLessThan(all / 2);
  });

  it('labels the uncertainty score', async () => {
    const score = page.locator('.queue-item .qi-score').first();
    expect(await score.textContent()).toMatch(/^uncertainty \d\.\d\d$/);
  });

  it('never breaks an option chip inside a word', async () => {
    const incident = store.incidents.list().find((i) => store.records.labels(i.id).some((l) => l.options.some((o) => o.length > 18)))!;
    for (const width of [1280, 400]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${srv.url}#/incident/${encodeURIComponent(incident.id)}`);
      await page.waitForSelector('table.taxonomy .chip');
      const broken = await page.locator('.chip').evaluateAll((els) =>
        els.flatMap((chip) => {
          // A line break inside a chip is allowed only after "_" or "-" (between words).
          const out: string[] = [];
          const range = document.createRange();
          let prev: { top: number; ch: string } | null = null;
          const walker = document.createTreeWalker(chip, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const t = n as Text;
            for (let i = 0; i < t.length; i++) {
              range.setStart(t, i);
              range.setEnd(t, i + 1);
              const top = Math.round(range.getBoundingClientRect().top);
              if (prev && top > prev.top + 2 && !/[_\-\s]/.test(prev.ch)) out.push(`${chip.textContent} at "${prev.ch}|${t.data[i]}"`);
              prev = { top, ch: t.data[i] };
            }
          }
          return out;
        }),
      );
      expect(broken, `width ${width}`).toEqual([]);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('is usable 400 px wide: nothing off-screen, the Reviewer box in view', async () => {
    await page.setViewportSize({ width: 400, height: 860 });
    await page.goto(`${srv.url}#/queue`);
    await settledCard();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
    const box = (await page.locator('#reviewer').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(400);
    await page.screenshot({ path: join(SHOTS, 'review-400.png') });
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(problems).toEqual([]);
  });

  it('has no keyboard trap: a shortcut that needs a name leads to the name box, and Enter or Esc leads back out', async () => {
    await page.goto(`${srv.url}#/queue`);
    await page.locator('#reviewer').fill('');
    await page.selectOption('select[data-filter="status"]', 'open');
    await settledCard();
    // From the top of the queue, whichever item earlier tests left open, so that there is a next item.
    const start = page.locator('.queue-item').first();
    await start.click();
    await settledCard(`[data-incident="${(await start.getAttribute('data-id'))!.split(':')[1]}"]`);
    await page.locator('#reviewer').blur();
    const before = store.review.list().length;
    const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
    await page.keyboard.press('a');
    await expect.poll(focused).toBe('reviewer');
    await page.keyboard.press('Escape');
    expect(await focused()).not.toBe('reviewer');
    expect(store.review.list().length).toBe(before);
    // Esc dropped the waiting action; shortcuts work again.
    const first = (await activeId())!;
    await page.keyboard.press('j');
    await expect.poll(activeId).not.toBe(first);
    expect(await page.locator('#reviewer').inputValue()).toBe('');
    // This time type a name: Enter saves it and does what was asked. From the top of the queue, so that
    // there is a next item to move on to.
    const top = page.locator('.queue-item').first();
    const item = (await top.getAttribute('data-id'))!;
    await top.click();
    await settledCard(`[data-incident="${item.split(':')[1]}"]`);
    await page.locator('#reviewer').blur();
    expect(await activeId()).toBe(item);
    await page.keyboard.press('a');
    await expect.poll(focused).toBe('reviewer');
    await page.keyboard.type('Ann Other');
    await page.keyboard.press('Enter');
    await expect.poll(() => store.review.list().length).toBe(before + 1);
    expect(store.review.list().at(-1)).toMatchObject({ action: 'accept', reviewer: 'Ann Other', target: item.split(':').at(-1) });
    expect(await focused()).not.toBe('reviewer');
    await expect.poll(activeId).not.toBe(item);
    expect(problems).toEqual([]);
  });

  it('keeps a name typed while the page is still starting', async () => {
    const meta = await hold('**/api/meta');
    await page.goto('about:blank');
    await page.goto(`${srv.url}#/queue`);
    await expect.poll(meta.asked).toBe(true);
    // The stored name (an earlier test's) would overwrite this one when the page finished starting.
    await page.locator('#reviewer').fill('Early Bird');
    await meta.release();
    await settledCard();
    expect(await page.locator('#reviewer').inputValue()).toBe('Early Bird');
    await page.reload();
    await settledCard();
    expect(await page.locator('#reviewer').inputValue()).toBe('Early Bird');
  });

  it('on a database with nothing to review yet, says so and how to make something', async () => {
    const empty = new Store(join(dir.dir, 'empty.db'));
    const other = await startReviewServer({ store: empty, port: 0 });
    try {
      const p = await browser.newPage();
      await p.goto(`${other.url}#/queue`);
      await expect
        .poll(() => p.locator('.queue-list li.empty').textContent(), { timeout: 10_000 })
        .toBe('This database holds no labels or facts yet: `failscope run` makes them.');
      await p.close();
    } finally {
      await other.close();
      empty.close();
    }
  });
});
