import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium, which .ci/run installs; browser tests are skipped without it. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const SHOTS = join(process.cwd(), 'test/.tmp');

/** Headless, and nothing that reaches the network on its own. */
export function launch(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Page errors and console errors (CSP violations among them) collect in `problems`. */
export async function watchedPage(browser: Browser, width: number, height = 900): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width, height } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  return { page, problems };
}

/** A failure report written for these tests, carrying script payloads in its headline, source, URL and text. */
export const XSS = {
  headline: 'Quillfield Bank outage <img src=x onerror="window.__xss=1"> locks customers out <script>window.__xss=2</script>',
  source: 'Test Wire <b>bold</b>',
  url: 'javascript:window.__xss=3',
  text: `Quillfield Bank customers could not log in to online banking for six hours on Tuesday after a software update crashed its payment system. <img src=x onerror="window.__xss=1"> The bank said a bug in the update caused the outage. <script>window.__xss=2</script>

Thousands of customers were unable to pay bills, and card payments were declined at shops. Engineers rolled back the faulty update and restored the service by the evening, the bank said.`,
};
export const xssLine = () => `${JSON.stringify({ id: 'xss-1', url: XSS.url, headline: XSS.headline, source: XSS.source, published: '2024-06-04', text: XSS.text })}\n`;
