import { afterEach, describe, expect, it, vi } from 'vitest';
import { launch, skipWithoutBrowser } from './browser.ts';

const MISSING = '/nonexistent/chromium';

describe('browser tests without chromium', () => {
  afterEach(() => vi.restoreAllMocks());

  it('skip outside CI, and say so', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(skipWithoutBrowser('some-browser-suite', {}, MISSING)).toBe(true);
    expect(warn.mock.calls[0][0]).toMatch(/some-browser-suite: skipped, \/nonexistent\/chromium is not installed/);
  });

  it('run in CI, where launching fails and names the missing browser', async () => {
    expect(skipWithoutBrowser('some-browser-suite', { CI: 'true' }, MISSING)).toBe(false);
    await expect(launch(MISSING)).rejects.toThrow(/\/nonexistent\/chromium is not installed/);
  });

  it('skip nowhere when chromium is there', () => {
    expect(skipWithoutBrowser('some-browser-suite', {}, process.execPath)).toBe(false);
  });
});
