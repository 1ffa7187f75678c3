import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { ingest } from '../pipeline/ingest/ingest.ts';
import { runPipeline } from '../pipeline/run.ts';
import { Store } from '../pipeline/store/store.ts';
import { recordDecision } from '../pipeline/review/decisions.ts';
import { applyReviews } from '../pipeline/export/reviewed.ts';
import { writeHtml } from '../pipeline/export/html.ts';
import { recordFile } from '../pipeline/export/html/index-page.ts';
import { POSTMORTEM_FIELDS, type ExportRecord } from '../schemas/index.ts';
import { tempDir } from './fixtures.ts';
import { CHROMIUM, SHOTS, XSS, launch, skipWithoutBrowser, watchedPage, xssLine } from './browser.ts';

describe.skipIf(skipWithoutBrowser('export-html-browser'))(`HTML export opened from disk in chromium (${CHROMIUM})`, () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let browser: Browser;
  let records: ExportRecord[];
  let texts: Map<string, string>;
  let xss: ExportRecord;
  const url = (rel: string) => pathToFileURL(join(dir.dir, 'html', rel)).href;

  beforeAll(async () => {
    dir = tempDir('failscope-export-html-');
    const xssFile = join(dir.dir, 'xss.jsonl');
    writeFileSync(xssFile, xssLine());
    store = new Store(join(dir.dir, 'export.db'));
    expect((await ingest(store, ['data/sample/articles.jsonl', xssFile])).problems).toEqual([]);
    const backend = new OfflineBackend();
    await runPipeline(store, backend, { settings: { backend: backend.name, model: backend.model, concurrency: 2, cache: true } });
    const xssId = store.incidents.membership().get('xss-1')!;
    recordDecision(store, {
      incidentId: xssId,
      kind: 'label',
      target: 'objective',
      action: 'change',
      options: ['malicious'],
      reviewer: 'Tess <b>R</b>',
    });
    records = applyReviews(store.records.list(), store.review.latest()).records;
    xss = records.find((r) => r.id === xssId)!;
    const articles = new Map(store.articles.list({ includeDuplicates: true }).map((a) => [a.id, a]));
    texts = new Map([...articles].map(([id, a]) => [id, a.text]));
    const files = writeHtml(join(dir.dir, 'html'), records, articles);
    expect(files).toHaveLength(records.length + 1);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    store?.close();
    dir?.cleanup();
  });

  const open = async (rel: string, width = 1280): Promise<{ page: Page; problems: string[] }> => {
    const w = await watchedPage(browser, width);
    await w.page.goto(url(rel));
    return w;
  };

  it('pages carry a strict CSP: no unsafe-inline, scripts and styles only by hash, nothing fetched', () => {
    for (const rel of ['index.html', recordFile(xss.id)]) {
      const html = readFileSync(join(dir.dir, 'html', rel), 'utf8');
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
      expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
      expect(csp).not.toMatch(/unsafe/);
      expect(html.match(/<script>/g)).toHaveLength(1);
    }
  });

  it('the index lists every incident and filters by option and by search', async () => {
    const { page, problems } = await open('index.html');
    const rows = page.locator('.incident:not([hidden])');
    expect(await rows.count()).toBe(records.length);
    // An option some incidents have and some do not, whatever the model's conventions are.
    const having = (dim: string, opt: string) =>
      records.filter((r) => r.labels.some((l) => l.dimension === dim && (l.options as string[]).includes(opt))).length;
    const [dim, opt] = records
      .flatMap((r) => r.labels.flatMap((l) => l.options.map((o) => [l.dimension, o] as const)))
      .find(([d, o]) => having(d, o) > 0 && having(d, o) < records.length)!;
    const withIt = having(dim, opt);
    await page.locator(`.opt[data-dim="${dim}"][data-opt="${opt}"]`).click();
    expect(await rows.count()).toBe(withIt);
    expect(await page.locator('#shown').textContent()).toBe(String(withIt));
    await page.locator('#clear').click();
    await page.locator('#q').fill('quillfield');
    expect(await rows.count()).toBe(1);
    await rows.first().locator('a').click();
    await page.waitForURL(/incidents\//);
    expect(await page.locator('h1').textContent()).toContain('Incident:');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows article text and metadata with script payloads as inert text', async () => {
    const { page, problems } = await open(recordFile(xss.id));
    expect(await page.locator('[id="article-xss-1"] h3').textContent()).toBe(XSS.headline);
    expect(await page.locator('[id="article-xss-1"] .article-text').textContent()).toBe(XSS.text);
    expect(await page.locator('.source-list').textContent()).toContain(XSS.source);
    expect(await page.locator('.source-list').textContent()).toContain(XSS.url);
    expect(await page.locator('img, .source b, .article-text script').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    // The reviewed label: the reviewer's option, the model's struck beside it, the name as text.
    const row = page.locator('tr', { has: page.locator('[data-key="l-objective"]') });
    expect(await row.locator('.chip.reviewed').allTextContents()).toEqual(['malicious']);
    expect(await row.locator('.review').textContent()).toContain('changed by Tess <b>R</b> on');
    await page.locator('.item').first().click();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('marks every cited span, coloured by field or dimension', async () => {
    const rec = records.find((r) => r.articleIds.length > 1)!;
    const { page } = await open(recordFile(rec.id));
    const items = [
      ...POSTMORTEM_FIELDS.flatMap((f) =>
        rec.postmortem![f].map((fact, i) => ({ key: `f-${f}-${i}`, group: `f-${f}`, citations: fact.citations })),
      ),
      ...rec.labels.map((l) => ({ key: `l-${l.dimension}`, group: `l-${l.dimension}`, citations: l.citations })),
    ];
    const marks = await page.locator('mark[data-keys]').evaluateAll((els) =>
      els.map((e) => ({
        article: e.closest('article')!.id.replace(/^article-/, ''),
        keys: (e as HTMLElement).dataset.keys!.split(' '),
        cls: e.className,
        text: e.textContent!,
      })),
    );
    let checked = 0;
    for (const it of items) {
      for (const c of it.citations.filter((x) => x.alignment !== 'unaligned')) {
        const mine = marks.filter((m) => m.article === c.articleId && m.keys.includes(it.key));
        expect(mine.map((m) => m.text).join(''), it.key).toContain(texts.get(c.articleId)!.slice(c.start, c.end));
        checked++;
      }
      const first = marks.find((m) => m.keys[0] === it.key);
      if (first) expect(first.cls).toContain(`g-${it.group}`);
    }
    expect(checked).toBeGreaterThan(20);
    // Text that no item cites is not marked.
    const cited = new Set(items.flatMap((it) => it.citations.map((c) => c.articleId)));
    for (const id of cited) {
      const text = texts.get(id)!;
      const marked = marks.filter((m) => m.article === id).reduce((n, m) => n + m.text.length, 0);
      const spans = new Set(
        items.flatMap((it) =>
          it.citations
            .filter((c) => c.articleId === id && c.start >= 0)
            .flatMap((c) => Array.from({ length: c.end - c.start }, (_, k) => c.start + k)),
        ),
      );
      expect(marked, id).toBe(spans.size);
      expect(marked).toBeLessThanOrEqual(text.length);
    }
    await page.close();
  });

  it('clicking a fact scrolls to its spans (the next one on each click); clicking a span goes to what cites it', async () => {
    const rec = records.find((r) => POSTMORTEM_FIELDS.some((f) => r.postmortem![f].some((x) => x.citations.length > 1)))!;
    const field = POSTMORTEM_FIELDS.find((f) => rec.postmortem![f].some((x) => x.citations.length > 1))!;
    const idx = rec.postmortem![field].findIndex((x) => x.citations.length > 1);
    const key = `f-${field}-${idx}`;
    const { page, problems } = await open(recordFile(rec.id));
    const inView = (loc: ReturnType<Page['locator']>) =>
      loc.evaluate((e) => {
        const r = e.getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight;
      });
    await page.locator(`[data-key="${key}"]`).click();
    const on = page.locator('mark.on');
    const n = await on.count();
    expect(n).toBeGreaterThan(1);
    expect(await on.evaluateAll((els, k) => els.every((e) => (e as HTMLElement).dataset.keys!.split(' ').includes(k)), key)).toBe(true);
    expect(await inView(on.first())).toBe(true);
    expect(await page.locator('#status').textContent()).toMatch(new RegExp(`passage 1 of ${n}$`));
    await page.locator(`[data-key="${key}"]`).click();
    expect(await page.locator('#status').textContent()).toMatch(new RegExp(`passage 2 of ${n}$`));
    expect(await inView(on.nth(1))).toBe(true);

    // A span cited by a label leads back to the label's row.
    const labelMark = page.locator('mark[data-keys^="l-"]').first();
    const labelKey = (await labelMark.getAttribute('data-keys'))!.split(' ')[0];
    await labelMark.click();
    expect(await page.locator(`#item-${labelKey}`).evaluate((e) => e === document.activeElement)).toBe(true);
    expect(await inView(page.locator(`#item-${labelKey}`))).toBe(true);
    // The items work from the keyboard too.
    await page.keyboard.press('Enter');
    expect(
      await page
        .locator('mark.on')
        .evaluateAll((els, k) => els.length > 0 && els.every((e) => (e as HTMLElement).dataset.keys!.split(' ').includes(k)), labelKey),
    ).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fits a 400 px screen (and 1280) without sideways scrolling', async () => {
    const multi = recordFile(records.find((r) => r.articleIds.length > 1)!.id);
    for (const width of [400, 1280]) {
      // One page per width, led from file to file: each is still loaded from scratch.
      const { page, problems } = await watchedPage(browser, width);
      for (const rel of ['index.html', recordFile(xss.id), multi]) {
        await page.goto(url(rel));
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${rel} at ${width}`).toBeLessThanOrEqual(width);
        if (rel === 'index.html') await page.screenshot({ path: join(SHOTS, `export-index-${width}.png`) });
        if (rel === multi) {
          // The record with one fact chosen: its passages marked in the articles beside it.
          await page.locator('.postmortem .item:not(.uncited)').nth(1).click();
          if (width > 900) await page.evaluate(() => window.scrollTo(0, 0));
          await page.screenshot({ path: join(SHOTS, `export-record-${width}.png`) });
        }
        expect(problems, rel).toEqual([]);
      }
      await page.close();
    }
  });
});
