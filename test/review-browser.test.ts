import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { CHROMIUM, SHOTS, XSS, hasChromium, launch, watchedPage, xssLine } from './browser.ts';

const XSS_HEADLINE = XSS.headline;
if (!hasChromium) console.warn(`review-browser: skipped, ${CHROMIUM} is not installed (CI installs Debian's chromium in .ci/run)`);

describe.skipIf(!hasChromium)(`review page in a real browser (chromium at ${CHROMIUM})`, () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let srv: ReviewServer;
  let browser: Browser;
  let page: Page;
  let xssIncident: string;
  let problems: string[];

  beforeAll(async () => {
    dir = tempDir('failscope-review-browser-');
    const xssFile = join(dir.dir, 'xss.jsonl');
    writeFileSync(xssFile, xssLine());
    store = new Store(join(dir.dir, 'review.db'));
    const r = await ingest(store, ['data/sample/articles.jsonl', xssFile]);
    expect(r.problems).toEqual([]);
    const backend = new OfflineBackend();
    await runPipeline(store, backend, { settings: { backend: backend.name, model: backend.model, concurrency: 2, cache: true } });
    xssIncident = store.membership().get('xss-1')!;
    expect(xssIncident, 'the payload article is screened in and grouped').toBeDefined();
    srv = await startReviewServer({ store, port: 0 });
    browser = await launch();
    ({ page, problems } = await watchedPage(browser, 1440));
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    store?.close();
    dir?.cleanup();
  });

  const activeId = () => page.locator('.queue-item.active').getAttribute('data-id');

  it('opens the queue, accepts one label and corrects another with the keyboard', async () => {
    await page.goto(srv.url);
    await page.locator('#reviewer').fill('Tess Reviewer');
    await page.selectOption('select[data-filter="kind"]', 'label');
    await page.waitForSelector('.queue-item.active');
    await page.waitForSelector('.card[data-kind="label"]');
    await page.locator('#reviewer').blur();

    // Accept the first, most uncertain label.
    const first = (await activeId())!;
    const [, incident1, dim1] = first.split(':');
    await page.keyboard.press('a');
    await expect.poll(() => store.reviewDecisions().length).toBe(1);
    await expect.poll(activeId).not.toBe(first);

    // Correct the next one: toggle an option with its number key, save with Enter.
    const second = (await activeId())!;
    const [, incident2, dim2] = second.split(':');
    await page.waitForSelector(`.card[data-target="${dim2}"]`);
    const dim = TAXONOMY.find((d) => d.key === dim2)!;
    const model = store.getLabels(incident2).find((l) => l.dimension === dim2)!.options;
    const pressed = await page.locator('.card .option').evaluateAll((els) => els.map((e) => e.getAttribute('aria-pressed') === 'true'));
    expect(dim.options.filter((_, i) => pressed[i]).map((o) => o.key)).toEqual(model.filter((o) => o !== 'unknown'));
    // Toggle option 1, unless that would leave nothing chosen; then option 2.
    const key = !model.includes(dim.options[0].key) || model.length > 1 ? 0 : 1;
    const opt = dim.options[key].key;
    const real = model.filter((o) => o !== 'unknown');
    const expected = dim.kind === 'boolean' ? [opt] : dim.options.map((o) => o.key).filter((o) => (o === opt ? !real.includes(o) : real.includes(o)));
    await page.keyboard.press(String(key + 1));
    await expect.poll(() => page.locator(`.card .option[data-option="${opt}"]`).getAttribute('aria-pressed')).toBe(expected.includes(opt) ? 'true' : 'false');
    await page.keyboard.press('Enter');
    await expect.poll(() => store.reviewDecisions().length).toBe(2);

    const [a, c] = store.reviewDecisions();
    expect(a).toMatchObject({ incidentId: incident1, kind: 'label', target: dim1, action: 'accept', reviewer: 'Tess Reviewer' });
    expect(a.options).toEqual(store.getLabels(incident1).find((l) => l.dimension === dim1)!.options);
    expect(c).toMatchObject({ incidentId: incident2, kind: 'label', target: dim2, action: 'change', reviewer: 'Tess Reviewer', options: expected });
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
    const reviewed = new Set(store.reviewDecisions().map((d) => `${d.incidentId}|${d.target}`));
    const cited = store.listIncidents().find((i) => !reviewed.has(`${i.id}|behaviour`) && store.getLabels(i.id).some((l) => l.dimension === 'behaviour' && l.citations.length > 1))!;
    await page.locator(`.queue-item[data-id="label:${cited.id}:behaviour"]`).click();
    await page.waitForSelector('mark.cite.current');
    await page.keyboard.press('2');
    await page.waitForTimeout(400);
    const file = join(SHOTS, 'review.png');
    await page.screenshot({ path: file });
    expect(existsSync(file)).toBe(true);
    expect(await page.locator('mark.cite').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
