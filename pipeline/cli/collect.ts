import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import {
  COLLECT_DEFAULTS,
  type CollectEvent,
  type CollectInputs,
  type CollectOptions,
  collect,
  plannedFetches,
  queueInputs,
} from '../collect/collect.ts';
import { loadSearchConfig } from '../collect/search.ts';
import type { Store } from '../store/store.ts';
import { type CommonOptions, EXIT, onCtrlC, open, requireExisting, withCommon } from './common.ts';
import { fraction, integer as int } from './numbers.ts';
import { STDIN } from '../ingest/stdin.ts';
import { listedLines } from '../collect/url.ts';

type Tunables =
  | 'userAgent'
  | 'concurrency'
  | 'perHostConcurrency'
  | 'perHostDelayMs'
  | 'timeoutMs'
  | 'connectTimeoutMs'
  | 'maxBytes'
  | 'maxRedirects'
  | 'retries'
  | 'minWords'
  | 'nearDuplicate'
  | 'robots';
interface CollectFlags extends CommonOptions, Pick<CollectOptions, Tunables> {
  urlsFile: string[];
  feed: string[];
  searchConfig?: string;
  allowPrivate?: boolean;
  refresh?: boolean;
  retryFailed?: boolean;
  dryRun?: boolean;
}

const many = (v: string, prev: string[]) => [...prev, v];

/** URLs from a file (`-`: piped in), one per line; blank lines and `#` comments skipped. Each keeps its `file:line`. */
function readUrlsFile(file: string): { url: string; source: string }[] {
  if (file === STDIN && process.stdin.isTTY)
    throw new Error('standard input is a terminal: pipe the URLs in (`grep … | failscope collect --urls-file -`)');
  const name = file === STDIN ? 'stdin' : file;
  return listedLines(readFileSync(file === STDIN ? 0 : file, 'utf8')).map(({ entry, line }) => ({ url: entry, source: `${name}:${line}` }));
}

function printEvent(e: CollectEvent): void {
  const what = e.notModified
    ? 'unchanged'
    : e.state === 'fetched' && e.kind === 'feed'
      ? 'feed'
      : e.state === 'fetched'
        ? 'collected'
        : e.state;
  const why = e.state === 'fetched' ? (e.detail ? `  (${e.detail})` : '') : `  ${e.reason ?? ''}${e.detail ? `: ${e.detail}` : ''}`;
  process.stderr.write(`${what.padEnd(10)} ${e.url}${why}\n`);
}

function statusLines(store: Store): string[] {
  const c = store.fetches.counts();
  const reasons = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  return [
    `  pages      ${c.pages.fetched} collected (${c.opinion} flagged opinion), ${c.pages.duplicate} duplicate, ${c.pages.failed} failed, ${c.pages.pending} pending`,
    `  feeds      ${c.feeds.fetched} fetched, ${c.feeds.failed} failed, ${c.feeds.pending} pending`,
    `  failed     ${reasons(c.failedByReason)}`,
    `  duplicate  ${reasons(c.duplicateByReason)}`,
  ];
}

export function collectCommand(): Command {
  const d = COLLECT_DEFAULTS;
  return withCommon(new Command('collect'))
    .description('fetch news articles from URLs, URL files, RSS/Atom feeds and news-search queries into the store (resumable)')
    .argument('[urls...]', 'article (or feed) URLs')
    .option('--urls-file <file>', 'file with one URL per line (# comments allowed); repeatable', many, [])
    .option('--feed <url>', 'RSS or Atom feed whose items to collect; repeatable', many, [])
    .option('--search-config <file>', 'news-search config JSON: keywords × outlets × date windows (see data/search-example.json)')
    .option('--allow-private', 'allow loopback, private and link-local addresses (local demos only)')
    .option('--no-robots', 'do not fetch or honour robots.txt')
    .option('--user-agent <ua>', 'User-Agent header; its first word is the robots.txt product token', d.userAgent)
    .option('--concurrency <n>', 'requests in flight at once, over all hosts', int(1), d.concurrency)
    .option('--per-host-concurrency <n>', 'requests in flight at once to one host', int(1), d.perHostConcurrency)
    .option(
      '--per-host-delay-ms <ms>',
      'pause between requests to one host (a robots.txt Crawl-delay can raise it)',
      int(0),
      d.perHostDelayMs,
    )
    .option('--timeout-ms <ms>', 'time limit for a whole response', int(1), d.timeoutMs)
    .option('--connect-timeout-ms <ms>', 'time limit until response headers arrive', int(1), d.connectTimeoutMs)
    .option('--max-bytes <n>', 'largest response body read; larger ones fail as too-large', int(1), d.maxBytes)
    .option('--max-redirects <n>', 'redirects followed per URL', int(0), d.maxRedirects)
    .option('--retries <n>', 'retries after 408/409/425/429/5xx or a dropped connection (Retry-After honoured)', int(0), d.retries)
    .option('--min-words <n>', 'fewer words of article text is a failed scrape', int(1), d.minWords)
    .option(
      '--near-duplicate <similarity>',
      'estimated Jaccard similarity from which a page is a syndicated copy',
      fraction,
      d.nearDuplicate,
    )
    .option('--refresh', 're-poll feeds and search queries already fetched (conditional GET: ETag / If-Modified-Since)')
    .option('--retry-failed', 'try URLs that failed in earlier runs again')
    .option(
      '--dry-run',
      'print the URLs and search queries that would be queued, and the inputs that would be refused (not http(s) URLs); fetch nothing',
    )
    .action(async (urls: string[], opts: CollectFlags) => {
      requireExisting([...opts.urlsFile, ...(opts.searchConfig ? [opts.searchConfig] : [])]);
      const s = await open(opts);
      const inputs: CollectInputs = {
        urls: urls.map((url) => ({ url, source: 'cli' })),
        feeds: opts.feed.map((url) => ({ url, source: 'cli' })),
      };
      let unreadable = 0;
      for (const f of opts.urlsFile) {
        try {
          inputs.urls!.push(...readUrlsFile(f));
        } catch (e) {
          unreadable++;
          process.stderr.write(`skipped ${f}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
        }
      }
      const stop = onCtrlC('the requests in flight');
      try {
        if (opts.searchConfig) inputs.search = { config: loadSearchConfig(opts.searchConfig), source: `search:${opts.searchConfig}` };
        if (opts.dryRun) {
          // The same check a real run makes: what it would refuse is named, not listed as queued.
          const rows = plannedFetches(inputs);
          process.stdout.write(
            rows
              .map((r) =>
                r.state === 'failed'
                  ? `refused ${r.requestedUrl}  ${r.reason}: ${r.detail}`
                  : r.title
                    ? `search  ${r.title}\n        ${r.requestedUrl}`
                    : r.kind === 'feed'
                      ? `feed    ${r.requestedUrl}`
                      : `page    ${r.requestedUrl}  (${r.source})`,
              )
              .map((l) => `${l}\n`)
              .join(''),
          );
          process.exitCode = rows.some((r) => r.state === 'failed') || unreadable ? EXIT.partial : EXIT.ok;
          return;
        }
        const queued = queueInputs(s.store, inputs);
        const requeued = s.store.fetches.requeue({ failed: opts.retryFailed, feeds: opts.refresh });
        const known = queued.given - queued.queued;
        if (opts.json)
          process.stdout.write(
            `${JSON.stringify({ type: 'queued', given: queued.given, queued: queued.queued, refused: queued.refused, requeued })}\n`,
          );
        else {
          process.stderr.write(
            `queued ${queued.queued} new URL(s)${known ? `; ${known} already known (same canonical URL)` : ''}${requeued ? `; ${requeued} re-queued` : ''}` +
              `${known && !opts.refresh && !opts.retryFailed ? ' (--refresh re-polls feeds, --retry-failed retries failures)' : ''}\n`,
          );
          for (const r of queued.refused) process.stderr.write(`${'refused'.padEnd(10)} ${r.requestedUrl}  ${r.reason}: ${r.detail}\n`);
        }
        const summary = await collect(s.store, {
          userAgent: opts.userAgent,
          concurrency: opts.concurrency,
          perHostConcurrency: opts.perHostConcurrency,
          perHostDelayMs: opts.perHostDelayMs,
          timeoutMs: opts.timeoutMs,
          connectTimeoutMs: opts.connectTimeoutMs,
          maxBytes: opts.maxBytes,
          maxRedirects: opts.maxRedirects,
          retries: opts.retries,
          allowPrivate: !!opts.allowPrivate,
          robots: opts.robots,
          minWords: opts.minWords,
          nearDuplicate: opts.nearDuplicate,
          signal: stop.signal,
          onEvent: opts.json ? (e) => process.stdout.write(`${JSON.stringify(e)}\n`) : printEvent,
        });
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ type: 'summary', queued: queued.queued, ...summary, store: s.store.fetches.counts() })}\n`,
          );
        } else {
          const reasons = (r: Record<string, number>) =>
            Object.keys(r).length
              ? ` (${Object.entries(r)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ')})`
              : '';
          process.stdout.write(
            [
              '',
              `collect: ${summary.jobs} URL(s) this run: ${summary.fetched} fetched, ${summary.failed} failed${reasons(summary.failedByReason)}, ${summary.duplicate} duplicate${reasons(summary.duplicateByReason)}` +
                `${summary.notModified ? `, ${summary.notModified} not modified` : ''}; ${summary.itemsQueued} new URL(s) found in feeds${summary.interrupted ? '; INTERRUPTED' : ''}`,
              'in the store:',
              ...statusLines(s.store),
              // Nothing collected is nothing to run on: pointing at `run` then sends a user to an empty pipeline.
              s.store.fetches.counts().pages.fetched
                ? `next: failscope run${opts.db ? ` --db ${opts.db}` : ''}   (screen → group → extract → classify the collected articles)`
                : 'next: no page collected yet to run on; the failures above say why (`--retry-failed` tries failed URLs again)',
              '',
            ].join('\n'),
          );
        }
        process.exitCode = summary.failed || queued.refused.length || unreadable || summary.interrupted ? EXIT.partial : EXIT.ok;
      } finally {
        stop.dispose();
        await s.close();
      }
    });
}
