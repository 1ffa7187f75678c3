import { parseHTML } from 'linkedom';
import { Readability } from '@mozilla/readability';

export interface ExtractedPage {
  title: string;
  byline: string | null;
  siteName: string | null;
  published: string | null;
  text: string;
  canonicalUrl: string | null;
}

const meta = (doc: Document, ...names: string[]) => {
  for (const n of names) {
    const el = doc.querySelector(`meta[property="${n}"], meta[name="${n}"], meta[itemprop="${n}"]`);
    const v = el?.getAttribute('content');
    if (v) return v.trim();
  }
  return null;
};

function jsonLdDate(doc: Document): string | null {
  for (const s of doc.querySelectorAll('script[type="application/ld+json"]')) {
    try {
      const data = JSON.parse(s.textContent ?? '');
      for (const item of [data, ...(Array.isArray(data) ? data : data['@graph'] ?? [])]) {
        if (item && typeof item === 'object' && typeof item.datePublished === 'string') return item.datePublished;
      }
    } catch { /* a broken JSON-LD block is common on the web; other date sources remain */ }
  }
  return null;
}

/** Readable text and metadata of an HTML page, via Readability over linkedom's DOM. */
export function extractHtml(html: string): ExtractedPage {
  const { document } = parseHTML(html);
  const published = meta(document, 'article:published_time', 'datePublished', 'pubdate', 'date', 'og:published_time', 'dc.date')
    ?? jsonLdDate(document) ?? document.querySelector('time[datetime]')?.getAttribute('datetime') ?? null;
  const canonicalUrl = document.querySelector('link[rel="canonical"]')?.getAttribute('href') ?? null;
  const siteName = meta(document, 'og:site_name', 'application-name');
  const parsed = new Readability(document as unknown as Document).parse();
  const text = (parsed?.textContent ?? document.body?.textContent ?? '')
    .replace(/[ \t\f\v]+/g, ' ').replace(/\s*\n\s*/g, '\n').replace(/\n{2,}/g, '\n\n').trim();
  return {
    title: (parsed?.title || document.title || '').trim(),
    byline: parsed?.byline ?? meta(document, 'author'),
    siteName: parsed?.siteName ?? siteName,
    published,
    text,
    canonicalUrl,
  };
}
