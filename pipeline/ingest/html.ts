import { parseHTML } from 'linkedom';
import { Readability } from '@mozilla/readability';

/** Words of a page's text ("well-known" and "3.5" are one word each), for the floor below which a page holds no article. */
export const countWords = (text: string) => (text.match(/[\p{L}\p{N}]+(?:['’.-][\p{L}\p{N}]+)*/gu) ?? []).length;

export interface ExtractedPage {
  title: string;
  byline: string | null;
  siteName: string | null;
  published: string | null;
  text: string;
  canonicalUrl: string | null;
  /** The section the page says it belongs to (article:section, JSON-LD articleSection), when it says. */
  section: string | null;
  /** Opinion, column, editorial or op-ed rather than reporting (FAIL skipped these). */
  opinion: boolean;
}

const meta = (doc: Document, ...names: string[]) => {
  for (const n of names) {
    const el = doc.querySelector(`meta[property="${n}"], meta[name="${n}"], meta[itemprop="${n}"]`);
    const v = el?.getAttribute('content');
    if (v) return v.trim();
  }
  return null;
};

type LdItem = Record<string, unknown>;

/** Every JSON-LD object on the page, @graph and arrays flattened. */
function jsonLd(doc: Document): LdItem[] {
  const out: LdItem[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      out.push(v as LdItem);
      if ('@graph' in v) visit((v as LdItem)['@graph']);
    }
  };
  for (const s of doc.querySelectorAll('script[type="application/ld+json"]')) {
    try {
      visit(JSON.parse(s.textContent ?? ''));
    } catch {
      /* a broken JSON-LD block is common on the web; other sources remain */
    }
  }
  return out;
}

const types = (item: LdItem) => [item['@type']].flat().filter((t): t is string => typeof t === 'string');
const ARTICLE_TYPE = /Article$|^BlogPosting$|^Report$/;
const nameOf = (v: unknown): string | null => {
  if (typeof v === 'string') return v.trim() || null;
  if (Array.isArray(v)) return v.map(nameOf).filter(Boolean).join(', ') || null;
  if (v && typeof v === 'object' && typeof (v as LdItem).name === 'string') return ((v as LdItem).name as string).trim() || null;
  return null;
};

const OPINION_WORDS = /\b(opinions?|comment(isfree)?|columns?|columnists?|editorials?|op-?eds?|commentary|letters)\b/i;
const OPINION_PATH = /\/(opinions?|commentisfree|columns?|columnists?|editorials?|op-?eds?|commentary)(\/|$)/i;
const OPINION_HEADLINE = /^\s*(opinion|op-?ed|column|editorial|comment)\s*[:|–—-]/i;

function isOpinion(ld: LdItem[], section: string | null, title: string, url: string | null): boolean {
  if (ld.some((i) => types(i).some((t) => /^Opinion/.test(t)))) return true;
  if (section && OPINION_WORDS.test(section)) return true;
  if (OPINION_HEADLINE.test(title)) return true;
  if (url) {
    try {
      return OPINION_PATH.test(new URL(url).pathname);
    } catch {
      /* not a URL: no path to judge */
    }
  }
  return false;
}

/**
 * Readable text and metadata of an HTML page, via Readability over linkedom's DOM. Metadata comes from
 * meta tags first, then JSON-LD, then the markup (`<time>`, `rel=author`), since sites fill them unevenly.
 * `url` (where the page was fetched from) helps spot opinion sections.
 */
/** Elements that end a line of text: their text must not run into the next block's ("Zürich.It said"). */
const BLOCK =
  /^(?:p|div|h[1-6]|li|ul|ol|dl|dt|dd|blockquote|pre|section|article|header|footer|aside|figure|figcaption|table|tr|td|th|caption|hr|main|nav|address|details|summary)$/i;
const SILENT = /^(?:script|style|noscript|template|svg)$/i;

/**
 * The text of an element as a reader sees it: a line break between blocks and at <br>, nothing from
 * scripts or styles. textContent runs paragraphs of minified markup together ("<p>…Zürich.</p><p>It said"),
 * so the sentence splitter, and every quote's span, would see one sentence.
 */
function blockText(root: Element): string {
  const out: string[] = [];
  const walk = (n: Node) => {
    if (n.nodeType === 3) {
      out.push(n.textContent ?? '');
      return;
    }
    if (n.nodeType !== 1) return;
    const tag = (n as Element).tagName;
    if (SILENT.test(tag)) return;
    if (/^br$/i.test(tag)) {
      out.push('\n');
      return;
    }
    const block = BLOCK.test(tag);
    if (block) out.push('\n');
    for (const c of n.childNodes) walk(c);
    if (block) out.push('\n');
  };
  walk(root);
  return out.join('');
}

export function extractHtml(html: string, url: string | null = null): ExtractedPage {
  const { document } = parseHTML(html);
  const ld = jsonLd(document);
  const article = ld.find((i) => types(i).some((t) => ARTICLE_TYPE.test(t))) ?? ld.find((i) => typeof i.datePublished === 'string');
  const published =
    meta(
      document,
      'article:published_time',
      'datePublished',
      'pubdate',
      'publishdate',
      'date',
      'og:published_time',
      'dc.date',
      'DC.date.issued',
      'sailthru.date',
    ) ??
    (typeof article?.datePublished === 'string' ? article.datePublished : null) ??
    document.querySelector('time[datetime][pubdate], article time[datetime], time[datetime]')?.getAttribute('datetime') ??
    null;
  const canonicalUrl = document.querySelector('link[rel="canonical"]')?.getAttribute('href') ?? null;
  const siteName = meta(document, 'og:site_name', 'application-name') ?? nameOf(article?.publisher);
  const section = meta(document, 'article:section', 'section', 'parsely-section', 'category') ?? nameOf(article?.articleSection);
  // article:author is often a profile URL rather than a name.
  const metaByline =
    [
      meta(document, 'author', 'parsely-author', 'byl'),
      meta(document, 'article:author'),
      nameOf(article?.author),
      document.querySelector('[rel="author"]')?.textContent?.trim() ?? null,
    ].find((v) => v && !/^https?:\/\//.test(v)) ?? null;
  const metaTitle = meta(document, 'og:title', 'twitter:title') ?? nameOf(article?.headline);
  let parsed: ReturnType<Readability<Element>['parse']> = null;
  try {
    parsed = new Readability(document as unknown as Document, { serializer: (el) => el as Element }).parse();
  } catch {
    /* Readability gives up on some markup; the body text below is the fallback */
  }
  const root = parsed?.content ?? (document.body as unknown as Element | null);
  const text = (root ? blockText(root) : '')
    .replace(/[ \t\f\v]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .replace(/\n{2,}/g, '\n\n')
    .trim();
  const title = (parsed?.title || metaTitle || document.title || '').trim();
  return {
    title,
    byline: parsed?.byline?.trim() || metaByline,
    siteName: parsed?.siteName ?? siteName,
    published,
    text,
    canonicalUrl,
    section,
    opinion: isOpinion(ld, section, title, url),
  };
}
