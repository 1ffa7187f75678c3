import Parser from 'rss-parser';

export interface FeedItem {
  /** As the feed gives it; may be relative, and is validated when queued. */
  link: string;
  title: string | null;
  published: string | null;
}

export type ParsedFeed = { ok: true; title: string | null; items: FeedItem[]; skipped: number } | { ok: false; detail: string };

const parser = new Parser();

/** RSS 0.9x/1.0/2.0 or Atom, from text already fetched (rss-parser never touches the network here). */
export async function parseFeed(text: string): Promise<ParsedFeed> {
  let feed: Awaited<ReturnType<typeof parser.parseString>>;
  try {
    feed = await parser.parseString(text);
  } catch (e) {
    return { ok: false, detail: (e as Error).message.split('\n')[0] };
  }
  const items: FeedItem[] = [];
  let skipped = 0;
  for (const it of feed.items ?? []) {
    const guid = typeof it.guid === 'string' && /^https?:\/\//i.test(it.guid) ? it.guid : null;
    const link = (it.link ?? guid ?? '').trim();
    if (!link) {
      skipped++;
      continue;
    }
    items.push({ link, title: it.title?.trim() || null, published: it.isoDate ?? it.pubDate ?? null });
  }
  return { ok: true, title: feed.title ?? null, items, skipped };
}

/** A URL given as a page may turn out to be a feed: judged by its type, or by its first element. */
export function looksLikeFeed(text: string, contentType: string | null): boolean {
  if (/(rss|atom)\+xml/i.test(contentType ?? '')) return true;
  const head = text
    .slice(0, 2048)
    .replace(/^\uFEFF/, '')
    .replace(/<\?xml[^>]*\?>/, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .trimStart();
  return /^<(rss|feed|rdf:RDF)\b/i.test(head);
}
