import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { Store } from '../pipeline/store/store.ts';
import { loadGold } from '../evals/gold.ts';
import { evaluate, REPORT_FILE } from '../evals/eval.ts';
import { DIMENSION_KEYS, POSTMORTEM_FIELDS } from '../schemas/index.ts';
import type { Scorecard } from '../evals/scorecard.ts';
import { ROOT } from './cli-runner.ts';
import { tempDir } from './fixtures.ts';
import { SHOTS, launch, skipWithoutBrowser, watchedPage } from './browser.ts';

describe.skipIf(skipWithoutBrowser('eval-report-browser'))('eval report.html in chromium (the sample gold set)', () => {
  let dir: ReturnType<typeof tempDir>;
  let browser: Browser;
  let report: string;
  let scorecard: Scorecard;

  beforeAll(async () => {
    dir = tempDir('failscope-eval-report-');
    const gold = await loadGold(join(ROOT, 'data', 'sample'));
    const store = new Store(join(dir.dir, 'pipeline.db'));
    const backend = new OfflineBackend();
    try {
      ({ scorecard } = await evaluate(gold, dir.dir, {
        store,
        goldDb: join(dir.dir, 'gold-incidents.db'),
        backend,
        settings: { backend: backend.name, model: backend.model, concurrency: 2, cache: true },
      }));
    } finally {
      store.close();
    }
    report = pathToFileURL(join(dir.dir, REPORT_FILE)).href;
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    dir?.cleanup();
  });

  it('links every metric to the items behind it, and the links lead somewhere', async () => {
    const { page, problems } = await watchedPage(browser, 1280);
    await page.goto(report);
    const rows = await page.locator('section > .scroll tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        section: tr.closest('section')!.id,
        first: tr.querySelector('td')!.textContent!,
        href: tr.querySelector('td a')?.getAttribute('href') ?? null,
      })),
    );
    // Rows without items: the published figure (another gold set) and the end-to-end citation total.
    const unlinked = rows.filter((r) => !r.href && !/^(published|end to end \(pipeline incidents\))$/.test(r.first));
    expect(unlinked).toEqual([]);
    const hrefs = [...new Set(rows.map((r) => r.href).filter((h): h is string => !!h))];
    for (const h of hrefs) expect(await page.locator(`[id="${h.slice(1)}"]`).count(), h).toBe(1);
    expect(hrefs).toEqual(
      expect.arrayContaining([
        '#items-screening',
        '#items-grouping-stage',
        '#items-grouping-endToEnd',
        '#items-taxonomy',
        '#items-postmortem',
        '#items-citations',
        ...DIMENSION_KEYS.map((d) => `#items-taxonomy-${d}`),
        ...POSTMORTEM_FIELDS.map((f) => `#items-postmortem-${f}`),
      ]),
    );
    expect(problems).toEqual([]);
    await page.close();
  });

  it("following a dimension's link opens its items: gold against ours, wrong ones marked", async () => {
    const { page } = await watchedPage(browser, 1280);
    await page.goto(report);
    const target = page.locator('#items-taxonomy-behaviour');
    expect(await target.isVisible()).toBe(false);
    await page.locator('a[href="#items-taxonomy-behaviour"]').first().click();
    await expect.poll(() => target.isVisible()).toBe(true);
    expect(await target.locator('thead th').allTextContents()).toEqual(
      expect.arrayContaining(['incident', 'gold', 'ours', 'confidence', 'exact']),
    );
    const items = await target
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => ({ cells: [...tr.querySelectorAll('td')].map((td) => td.textContent!), wrong: tr.classList.contains('wrong') })),
      );
    expect(items).toHaveLength(scorecard.taxonomy.dimensions.behaviour.pipeline.n);
    for (const it of items) expect(it.wrong).toBe(it.cells[4] === '✗');
    expect(items.filter((i) => i.cells[4] === '✓').length / items.length).toBeCloseTo(
      scorecard.taxonomy.dimensions.behaviour.pipeline.exact!,
      6,
    );

    await page.locator('a[href="#items-postmortem-impacts"]').first().click();
    const pm = page.locator('#items-postmortem-impacts');
    await expect.poll(() => pm.isVisible()).toBe(true);
    const facts = await pm.locator('tbody tr').first().locator('td').allTextContents();
    expect(facts[1]).toMatch(/^[✓✗] 1\. /);
    expect(facts[2]).toMatch(/^[✓✗] 1\. /);
    await page.close();
  });

  it('the per-option heatmap shows error rates, not counts dominated by true negatives', async () => {
    const { page } = await watchedPage(browser, 1280);
    await page.goto(report);
    const chart = page.locator('#taxonomy .chart svg', { hasText: 'Per-option error rates' });
    const texts = await chart.locator('text').allTextContents();
    expect(texts).toEqual(expect.arrayContaining(['missed (FN ÷ gold has it)', 'wrong (FP ÷ we gave it)']));
    expect(texts).not.toContain('TN');
    const cells = texts.filter((t) => /^\d\.\d\d \(\d+\/\d+\)$/.test(t));
    expect(cells.length).toBeGreaterThan(10);
    for (const c of cells) {
      const [, rate, num, den] = /^(\d\.\d\d) \((\d+)\/(\d+)\)$/.exec(c)!;
      expect(Math.abs(Number(rate) - Number(num) / Number(den))).toBeLessThanOrEqual(0.0051);
    }
    await page.close();
  });

  it("draws every chart at its card's width, and fits a 400 px screen", async () => {
    for (const width of [1280, 400]) {
      const { page, problems } = await watchedPage(browser, width);
      await page.goto(report);
      const fits = await page.locator('.chart').evaluateAll((els) =>
        els.map((e) => {
          const card = e.closest('section')!;
          const style = getComputedStyle(card);
          const inner = card.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          return Math.abs(e.querySelector('svg')!.getBoundingClientRect().width - inner);
        }),
      );
      expect(fits.length).toBeGreaterThanOrEqual(6);
      for (const d of fits) expect(d).toBeLessThan(2);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      const key = await page.locator('#key .scroll').evaluate((e) => e.scrollWidth - e.clientWidth);
      expect(key, `key figures table at ${width} px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SHOTS, `eval-report-${width}.png`) });
      expect(problems).toEqual([]);
      await page.close();
    }
  });
});
