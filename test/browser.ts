import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium, which .ci/run installs; FAILSCOPE_CHROMIUM names another. */
export const CHROMIUM = process.env.FAILSCOPE_CHROMIUM || '/usr/bin/chromium';

const WHERE = ".ci/run installs Debian's chromium; FAILSCOPE_CHROMIUM names another";
const inCi = (env: NodeJS.ProcessEnv) => Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0';

/**
 * Whether a browser suite skips: only outside CI, on a machine without chromium, saying so. In CI
 * (CI set, as .ci/run sets it) a missing chromium must fail the suite, never pass it silently.
 */
export function skipWithoutBrowser(suite: string, env: NodeJS.ProcessEnv = process.env, path = CHROMIUM): boolean {
  if (existsSync(path) || inCi(env)) return false;
  console.warn(`${suite}: skipped, ${path} is not installed (${WHERE})`);
  return true;
}
export const SHOTS = join(process.cwd(), 'test/.tmp');

/** Headless, and nothing that reaches the network on its own. */
export async function launch(path = CHROMIUM): Promise<Browser> {
  if (!existsSync(path)) throw new Error(`${path} is not installed: the browser tests need chromium (${WHERE})`);
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: path,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Page errors and console errors (CSP violations among them) collect in `problems`. */
export async function watchedPage(browser: Browser, width: number, height = 900): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width, height } });
  // The same minute as expect.poll (vitest.config.ts): Playwright's 30 s failed a settled-card wait in a
  // fresh-clone run that shared two cores with an eval. A hang still fails.
  page.setDefaultTimeout(60_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
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
export const xssLine = () =>
  `${JSON.stringify({ id: 'xss-1', url: XSS.url, headline: XSS.headline, source: XSS.source, published: '2024-06-04', text: XSS.text })}\n`;
