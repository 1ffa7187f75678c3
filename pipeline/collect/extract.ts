import type { Article } from '../../schemas/index.ts';
import { toArticle } from '../ingest/article.ts';
import { countWords, extractHtml } from '../ingest/html.ts';
import { sha256 } from '../text/hash.ts';
import { toIsoDate } from '../text/dates.ts';
import { canonicalUrl, outletOf, parseHttpUrl } from './url.ts';

export interface PageContext {
  requestedUrl: string;
  finalUrl: string;
  /** Headline and date from the feed item that linked here, used when the page lacks them. */
  hintTitle?: string | null;
  hintPublished?: string | null;
  minWords: number;
}

export type PageResult =
  | { ok: true; article: Article; canonicalUrl: string; byline: string | null; opinion: boolean; words: number }
  | { ok: false; reason: 'too-short'; detail: string; words: number; opinion: boolean; byline: string | null };

/** Stable article id for a web page: its canonical URL, hashed. */
export const webArticleId = (canonical: string) => `web-${sha256(canonical).slice(0, 16)}`;

/**
 * `<link rel=canonical>` when it is a real http(s) URL for an article; a canonical pointing at a site's
 * home page (a common template mistake) is ignored in favour of the URL we ended up at.
 */
function pageIdentity(declared: string | null, finalUrl: string): string {
  const final = canonicalUrl(finalUrl);
  if (!declared) return final;
  const parsed = parseHttpUrl(declared, finalUrl);
  if (!parsed.ok) return final;
  if (parsed.url.pathname === '/' && new URL(finalUrl).pathname !== '/') return final;
  return canonicalUrl(parsed.url);
}

/** A fetched HTML page as an article, or a scrape failure when too little text came out (FAIL's < 100 words). */
export function extractPage(html: string, ctx: PageContext): PageResult {
  const page = extractHtml(html, ctx.finalUrl);
  const words = countWords(page.text);
  if (words < ctx.minWords) {
    return {
      ok: false,
      reason: 'too-short',
      detail: `${words} words of article text at ${ctx.finalUrl}; fewer than ${ctx.minWords} counts as a failed scrape`,
      words,
      opinion: page.opinion,
      byline: page.byline,
    };
  }
  const canonical = pageIdentity(page.canonicalUrl, ctx.finalUrl);
  const article = toArticle({
    id: webArticleId(canonical),
    url: canonical,
    headline: page.title || ctx.hintTitle || null,
    source: page.siteName || outletOf(canonical),
    published: toIsoDate(page.published) ?? toIsoDate(ctx.hintPublished),
    text: page.text,
    origin: ctx.requestedUrl,
  });
  return { ok: true, article, canonicalUrl: canonical, byline: page.byline, opinion: page.opinion, words };
}
