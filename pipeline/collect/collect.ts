import { sha256 } from '../text/hash.ts';
import PQueue from 'p-queue';
import type { FetchReason, FetchRecord, FetchState, SearchConfig } from '../../schemas/collect.ts';
import type { FetchOutcome, NewFetch, Store } from '../store/store.ts';
import { dnsResolver, type Resolver } from './address.ts';
import { decodeBody } from '../text/charset.ts';
import { afterToday } from '../text/dates.ts';
import { NearDuplicateIndex, fromBlob, minhash, toBlob } from './dedupe.ts';
import { extractPage } from './extract.ts';
import { looksLikeFeed, parseFeed } from './feeds.ts';
import { Interrupted, fetchDocument, type FetchResult, type HttpOptions } from './http.ts';
import { HostGate } from './politeness.ts';
import { RobotsCache } from './robots.ts';
import { searchQueries } from './search.ts';
import { canonicalUrl, parseHttpUrl } from './url.ts';

export interface CollectOptions extends Omit<HttpOptions, 'resolver' | 'gate' | 'sleep' | 'signal'> {
  concurrency: number;
  perHostConcurrency: number;
  perHostDelayMs: number;
  maxCrawlDelayMs: number;
  robots: boolean;
  /** Fewer words of article text than this is a failed scrape (FAIL used 100). */
  minWords: number;
  /** Estimated Jaccard similarity (5-word shingles) from which a page is a syndicated copy. */
  nearDuplicate: number;
  resolver?: Resolver;
  sleep?: (ms: number) => Promise<void>;
  /** Aborting stops starting new jobs; those in flight finish and are recorded. */
  signal?: AbortSignal;
  onEvent?: (e: CollectEvent) => void;
}

export const COLLECT_DEFAULTS: Omit<CollectOptions, 'resolver' | 'sleep' | 'signal' | 'onEvent'> = {
  userAgent: 'failscope/0.1 (news research crawler; honours robots.txt)',
  concurrency: 4,
  perHostConcurrency: 1,
  perHostDelayMs: 1000,
  timeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  retries: 2,
  retryBaseMs: 1000,
  maxRetryAfterMs: 60_000,
  maxCrawlDelayMs: 30_000,
  allowPrivate: false,
  robots: true,
  minWords: 100,
  nearDuplicate: 0.6,
};

export type CollectEvent = {
  type: 'fetch';
  id: number;
  kind: 'page' | 'feed';
  url: string;
  state: FetchState;
  reason: FetchReason | null;
  detail: string | null;
  notModified?: boolean;
  items?: number;
};

export interface CollectSummary {
  jobs: number;
  fetched: number;
  failed: number;
  duplicate: number;
  notModified: number;
  itemsQueued: number;
  failedByReason: Record<string, number>;
  duplicateByReason: Record<string, number>;
  interrupted: boolean;
}

export interface CollectInputs {
  /** URLs with where each came from (`cli`, `file:line`). */
  urls?: { url: string; source: string }[];
  feeds?: { url: string; source: string }[];
  search?: { config: SearchConfig; source: string };
}

/** A URL as a queued job; one that cannot be fetched at all is recorded failed straight away, with its origin. */
function newFetch(
  raw: string,
  kind: 'page' | 'feed',
  source: string,
  base?: string,
  hints: { title?: string | null; published?: string | null } = {},
): NewFetch {
  const parsed = parseHttpUrl(raw, base);
  if (!parsed.ok) {
    return {
      url: raw.trim().slice(0, 2000) || '(empty)',
      requestedUrl: raw,
      kind,
      source,
      state: 'failed',
      reason: parsed.reason,
      detail: `${parsed.detail} (from ${source})`,
    };
  }
  return { url: canonicalUrl(parsed.url), requestedUrl: parsed.url.href, kind, source, ...hints };
}

/**
 * Queues the run's inputs as jobs. URLs already known (same canonical URL) are not queued again; inputs
 * that are not fetchable URLs are recorded failed (`refused`).
 */
export function queueInputs(store: Store, inputs: CollectInputs): { given: number; queued: number; refused: NewFetch[] } {
  const rows = plannedFetches(inputs);
  return { given: rows.length, queued: store.fetches.enqueue(rows), refused: rows.filter((r) => r.state === 'failed') };
}

/** The run's inputs as fetch jobs, before the store sees them (what `--dry-run` shows); unfetchable ones are failed. */
export function plannedFetches(inputs: CollectInputs): NewFetch[] {
  return [
    ...(inputs.feeds ?? []).map((f) => newFetch(f.url, 'feed', f.source)),
    ...(inputs.search
      ? searchQueries(inputs.search.config).map((q) => ({ ...newFetch(q.url, 'feed', inputs.search!.source), title: q.query }))
      : []),
    ...(inputs.urls ?? []).map((u) => newFetch(u.url, 'page', u.source)),
  ];
}

/** Feeds first; pages spread round-robin over hosts so one slow host does not hold every slot. */
function schedule(rows: FetchRecord[]): FetchRecord[] {
  const byHost = new Map<string, FetchRecord[]>();
  for (const r of rows.filter((r) => r.kind === 'page')) {
    let host = '';
    try {
      host = new URL(r.requestedUrl).host;
    } catch {
      /* refused when run */
    }
    const list = byHost.get(host);
    if (list) list.push(r);
    else byHost.set(host, [r]);
  }
  const pages: FetchRecord[] = [];
  for (let i = 0, left = true; left; i++) {
    left = false;
    for (const list of byHost.values())
      if (i < list.length) {
        pages.push(list[i]);
        left = true;
      }
  }
  return [...rows.filter((r) => r.kind === 'feed'), ...pages];
}

/**
 * Works through every pending fetch job (including those a killed run left pending) until none is
 * left, feeds adding their items as new jobs as it goes. Each job's outcome is one transaction.
 */
export async function collect(store: Store, options: Partial<CollectOptions> = {}): Promise<CollectSummary> {
  const opts: CollectOptions = { ...COLLECT_DEFAULTS, ...options };
  const gate = new HostGate({ perHost: opts.perHostConcurrency, delayMs: opts.perHostDelayMs });
  const http: HttpOptions = {
    userAgent: opts.userAgent,
    timeoutMs: opts.timeoutMs,
    connectTimeoutMs: opts.connectTimeoutMs,
    maxBytes: opts.maxBytes,
    maxRedirects: opts.maxRedirects,
    retries: opts.retries,
    retryBaseMs: opts.retryBaseMs,
    maxRetryAfterMs: opts.maxRetryAfterMs,
    allowPrivate: opts.allowPrivate,
    resolver: opts.resolver ?? dnsResolver,
    gate,
    sleep: opts.sleep,
    signal: opts.signal,
  };
  const productToken = opts.userAgent.split(/[/\s]/)[0] || 'failscope';
  const robots = opts.robots ? new RobotsCache(http, productToken, opts.maxCrawlDelayMs) : null;
  const index = new NearDuplicateIndex(opts.nearDuplicate);
  for (const s of store.fetches.pageSignatures()) index.add(s.articleId, fromBlob(s.minhash));

  const summary: CollectSummary = {
    jobs: 0,
    fetched: 0,
    failed: 0,
    duplicate: 0,
    notModified: 0,
    itemsQueued: 0,
    failedByReason: {},
    duplicateByReason: {},
    interrupted: false,
  };
  const finish = (row: FetchRecord, outcome: FetchOutcome, extra: Parameters<Store['fetches']['finish']>[2] = {}, notModified = false) => {
    summary.itemsQueued += store.fetches.finish(row.id, outcome, extra);
    const state = outcome.state ?? row.state;
    if (state === 'fetched') summary.fetched++;
    else if (state === 'failed') summary.failed++;
    else if (state === 'duplicate') summary.duplicate++;
    if (notModified) summary.notModified++;
    if (outcome.reason && (state === 'failed' || state === 'duplicate')) {
      const key = outcome.reason === 'http-error' && outcome.httpStatus ? `http-${outcome.httpStatus}` : outcome.reason;
      const tally = state === 'failed' ? summary.failedByReason : summary.duplicateByReason;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    opts.onEvent?.({
      type: 'fetch',
      id: row.id,
      kind: outcome.kind ?? row.kind,
      url: row.requestedUrl,
      state,
      reason: outcome.reason ?? null,
      detail: outcome.detail ?? null,
      notModified,
      items: outcome.items ?? undefined,
    });
  };

  const asFeed = async (
    row: FetchRecord,
    res: Extract<FetchResult, { ok: true; notModified: false }>,
    text: string,
    base: FetchOutcome,
  ) => {
    const feed = await parseFeed(text);
    if (!feed.ok)
      return finish(row, {
        ...base,
        kind: 'feed',
        state: 'failed',
        reason: 'malformed-feed',
        detail: `${res.finalUrl} is not a readable RSS/Atom feed: ${feed.detail}`,
      });
    const items = feed.items.map((it) => newFetch(it.link, 'page', row.url, res.finalUrl, { title: it.title, published: it.published }));
    finish(
      row,
      {
        ...base,
        kind: 'feed',
        state: 'fetched',
        reason: null,
        detail: `${feed.items.length} item(s)${feed.skipped ? `, ${feed.skipped} without a link` : ''}`,
        items: feed.items.length,
      },
      { enqueue: items },
    );
  };

  const asPage = (row: FetchRecord, res: Extract<FetchResult, { ok: true; notModified: false }>, text: string, base: FetchOutcome) => {
    const page = extractPage(text, {
      requestedUrl: row.requestedUrl,
      finalUrl: res.finalUrl,
      hintTitle: row.title,
      hintPublished: row.published,
      minWords: opts.minWords,
    });
    if (!page.ok)
      return finish(row, {
        ...base,
        state: 'failed',
        reason: page.reason,
        detail: page.detail,
        words: page.words,
        opinion: page.opinion,
        byline: page.byline,
      });
    const found = {
      ...base,
      canonicalUrl: page.canonicalUrl,
      contentHash: page.article.contentHash,
      words: page.words,
      opinion: page.opinion,
      byline: page.byline,
    };
    // Checks and writes below are synchronous: no other job can slip in between a lookup and its insert.
    const sameUrl = store.fetches.storedPageAt([base.finalUrl!, page.canonicalUrl], row.id);
    if (sameUrl)
      return finish(row, {
        ...found,
        state: 'duplicate',
        reason: 'same-url',
        duplicateOf: sameUrl,
        detail: `already collected as ${sameUrl} (${page.canonicalUrl})`,
      });
    const sameText = store.articles.withContentHash(page.article.contentHash);
    if (sameText && sameText !== page.article.id) {
      return finish(
        row,
        {
          ...found,
          state: 'duplicate',
          reason: 'same-content',
          articleId: page.article.id,
          duplicateOf: sameText,
          detail: `same text as ${sameText}`,
        },
        { article: { ...page.article, duplicateOf: sameText } },
      );
    }
    const sig = minhash(page.article.text);
    const near = index.match(sig);
    if (near && near.articleId !== page.article.id) {
      return finish(
        row,
        {
          ...found,
          state: 'duplicate',
          reason: 'near-duplicate',
          articleId: page.article.id,
          duplicateOf: near.articleId,
          detail: `a copy of ${near.articleId} (estimated similarity ${near.similarity.toFixed(2)})`,
        },
        { article: { ...page.article, duplicateOf: near.articleId } },
      );
    }
    // Kept as the page gives it (only the publisher can say what it should be), but the user learns of it.
    const future = afterToday(page.article.published) ? `dated ${page.article.published}, after today: kept as given` : null;
    finish(
      row,
      { ...found, state: 'fetched', reason: null, detail: future, articleId: page.article.id, minhash: toBlob(sig) },
      { article: page.article },
    );
    index.add(page.article.id, sig);
  };

  const runJob = async (row: FetchRecord) => {
    if (opts.signal?.aborted) return;
    summary.jobs++;
    store.fetches.noteAttempt(row.id);
    // Only feeds are re-polled (--refresh); a page once stored is not fetched again.
    const conditional = row.kind === 'feed' && !!(row.etag || row.lastModified);
    let collectedAs: string | undefined;
    const res = await fetchDocument(
      {
        url: row.requestedUrl,
        accept: row.kind,
        etag: conditional ? row.etag : null,
        lastModified: conditional ? row.lastModified : null,
        beforeHop: async (u, hop) => {
          // A short link redirecting to a page already collected stops there: the page is not fetched again.
          collectedAs = row.kind === 'page' && hop > 0 ? store.fetches.storedPageAt([canonicalUrl(u)], row.id) : undefined;
          if (collectedAs) return { reason: 'same-url', detail: `redirects to ${u.href}, already collected as ${collectedAs}` };
          const refusal = robots ? await robots.check(u) : null;
          return refusal ? { reason: 'robots-disallowed', detail: refusal } : null;
        },
      },
      http,
    );
    const finalUrl = (() => {
      try {
        return canonicalUrl(res.finalUrl);
      } catch {
        return res.finalUrl;
      }
    })();
    if (!res.ok && res.reason === 'same-url')
      return finish(row, { state: 'duplicate', reason: 'same-url', detail: res.detail, finalUrl, duplicateOf: collectedAs });
    if (!res.ok) return finish(row, { state: 'failed', reason: res.reason, detail: res.detail, httpStatus: res.status, finalUrl });
    if (res.notModified && !conditional) {
      return finish(row, {
        state: 'failed',
        reason: 'http-error',
        httpStatus: 304,
        finalUrl,
        detail: `HTTP 304 from ${res.finalUrl} to a request that sent no validators`,
      });
    }
    if (res.notModified) {
      return finish(
        row,
        {
          state: 'fetched',
          reason: null,
          httpStatus: 304,
          finalUrl,
          etag: res.etag,
          lastModified: res.lastModified,
          detail: 'not modified since the last fetch',
        },
        {},
        true,
      );
    }
    const decoded = decodeBody(res.bytes, res.contentType);
    const base: FetchOutcome = {
      httpStatus: res.status,
      finalUrl,
      etag: res.etag,
      lastModified: res.lastModified,
      rawHash: sha256(res.bytes),
    };
    if (row.kind === 'feed' || looksLikeFeed(decoded.text, res.contentType)) return asFeed(row, res, decoded.text, base);
    return asPage(row, res, decoded.text, base);
  };

  const queue = new PQueue({ concurrency: opts.concurrency });
  const started = new Set<number>();
  const onAbort = () => {
    summary.interrupted = true;
    queue.clear();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    while (!opts.signal?.aborted) {
      const batch = schedule(store.fetches.pending().filter((r) => !started.has(r.id)));
      if (!batch.length) break;
      for (const row of batch) {
        started.add(row.id);
        queue.add(async () => {
          try {
            await runJob(row);
          } catch (e) {
            if (e instanceof Interrupted) return; // never sent: stays pending
            // A bug or a store error on one URL must not stop the others; the row stays pending for the next run.
            opts.onEvent?.({
              type: 'fetch',
              id: row.id,
              kind: row.kind,
              url: row.requestedUrl,
              state: 'pending',
              reason: null,
              detail: `internal error: ${(e as Error).message}`,
            });
          }
        });
      }
      await queue.onIdle();
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return summary;
}
