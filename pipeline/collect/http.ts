import type { FetchReason } from '../../schemas/collect.ts';
import { checkAddress, type Resolver } from './address.ts';
import { looksBinary } from '../text/charset.ts';
import type { HostGate } from './politeness.ts';
import { parseHttpUrl } from './url.ts';
import { type RetryVerdict, isRetryableStatus, retryAfterMs, withRetries } from '../http/retry.ts';

export interface HttpOptions {
  userAgent: string;
  /** Whole request, headers and body, per hop and attempt. */
  timeoutMs: number;
  /** Until the response headers arrive (connect + server think time). */
  connectTimeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Further attempts after a retryable status (408, 429, 5xx…) or a dropped connection. */
  retries: number;
  retryBaseMs: number;
  /** A Retry-After longer than this is not waited for: the URL fails now and can be retried later. */
  maxRetryAfterMs: number;
  allowPrivate: boolean;
  resolver: Resolver;
  gate: HostGate;
  sleep?: (ms: number) => Promise<void>;
  /** Once aborted, no new request starts (requests already sent finish normally). */
  signal?: AbortSignal;
}

/** Thrown instead of starting a request once the run is stopping; the job stays pending for the next run. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted before the request was sent');
  }
}

export type Accept = 'page' | 'feed' | 'robots';

export interface FetchRequest {
  url: string;
  accept: Accept;
  etag?: string | null;
  lastModified?: string | null;
  /** Consulted before every hop (robots.txt, already-collected targets); a result stops the fetch there. */
  beforeHop?: (url: URL, hop: number) => Promise<{ reason: FetchReason; detail: string } | null>;
}

interface Common {
  finalUrl: string;
  redirects: string[];
  status: number | null;
  /** Bytes of body read: a response over the size cap stops being read at the cap. */
  bytesRead: number;
}
export type FetchResult =
  | (Common & {
      ok: true;
      notModified: false;
      status: number;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      bytes: Uint8Array;
    })
  | (Common & { ok: true; notModified: true; status: 304; etag: string | null; lastModified: string | null })
  | (Common & { ok: false; reason: FetchReason; detail: string });

const ACCEPT: Record<Accept, string> = {
  page: 'text/html,application/xhtml+xml;q=0.9,application/rss+xml;q=0.8,application/atom+xml;q=0.8,*/*;q=0.5',
  feed: 'application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5',
  robots: 'text/plain,*/*;q=0.5',
};

/** Text-like types a page or feed can be; anything else (images, PDFs, archives, octet-streams) is refused unread. */
const TEXTUAL = /^(text\/|application\/(xhtml\+xml|rss\+xml|atom\+xml|rdf\+xml|xml)\b|[^;]*\+xml\b)/i;
const REDIRECT = new Set([301, 302, 303, 307, 308]);

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class Failure extends Error {
  /** Set once response headers arrived, so a too-large or binary 200 still records its status. */
  status: number | null = null;
  bytesRead = 0;
  constructor(
    readonly reason: FetchReason,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

/** A response whose status asks for another try (408, 429, 5xx…), thrown so the retry loop sees it. */
class RetryableStatus extends Error {
  constructor(
    readonly hop: Hop,
    readonly attempt: number,
  ) {
    super(`HTTP ${hop.status}`);
  }
}

const verdict = (e: unknown): RetryVerdict =>
  e instanceof RetryableStatus
    ? { retryAfterMs: retryAfterMs(e.hop.headers) }
    : e instanceof Failure && e.retryable
      ? { retryAfterMs: null }
      : null;

function classifyError(e: unknown, url: string, timeouts: { headers: boolean; total: boolean }, opts: HttpOptions): Failure {
  if (e instanceof Failure) return e;
  if (timeouts.headers) return new Failure('timeout', `no response from ${url} within ${opts.connectTimeoutMs} ms`);
  if (timeouts.total) return new Failure('timeout', `${url} did not finish within ${opts.timeoutMs} ms`);
  const err = e as Error & { cause?: NodeJS.ErrnoException & { code?: string } };
  const code = err.cause?.code ?? (err as NodeJS.ErrnoException).code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new Failure('dns-failed', `cannot resolve ${new URL(url).hostname} (${code})`);
  const why = [code, err.cause?.message ?? err.message].filter(Boolean).join(': ');
  return new Failure('network-error', `${url}: ${why}`, true);
}

/** Reads a body as a stream, stopping (and dropping the connection) as soon as it passes the cap. */
async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  url: string,
  progress: { bytes: number },
): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    progress.bytes += value.byteLength;
    if (progress.bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Failure('too-large', `${url} is larger than the ${maxBytes}-byte limit (stopped reading at ${progress.bytes} bytes)`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

interface Hop {
  status: number;
  headers: Headers;
  bytes?: Uint8Array;
  bytesRead: number;
}

/** One request to one URL: no redirect following, no retries. */
async function requestOnce(url: URL, req: FetchRequest, opts: HttpOptions): Promise<Hop> {
  const headersTimer = new AbortController();
  const total = AbortSignal.timeout(opts.timeoutMs);
  const fired = { headers: false, total: false };
  total.addEventListener(
    'abort',
    () => {
      fired.total = true;
    },
    { once: true },
  );
  const timer = setTimeout(() => {
    fired.headers = true;
    headersTimer.abort();
  }, opts.connectTimeoutMs);
  const headers: Record<string, string> = { 'User-Agent': opts.userAgent, Accept: ACCEPT[req.accept] };
  // Validators go on every hop: redirects ignore them, and the hop that serves the document uses them.
  if (req.etag) headers['If-None-Match'] = req.etag;
  if (req.lastModified) headers['If-Modified-Since'] = req.lastModified;
  const progress = { bytes: 0 };
  let status: number | null = null;
  try {
    const res = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.any([total, headersTimer.signal]) });
    clearTimeout(timer);
    status = res.status;
    if (status < 200 || status >= 300) {
      await res.body?.cancel().catch(() => undefined);
      return { status, headers: res.headers, bytesRead: 0 };
    }
    const type = res.headers.get('content-type');
    if (type && !TEXTUAL.test(type.trim())) {
      await res.body?.cancel().catch(() => undefined);
      throw new Failure('unsupported-content', `${url.href} is ${type.split(';')[0]}, not a web page or feed`);
    }
    const length = Number(res.headers.get('content-length'));
    if (Number.isFinite(length) && length > opts.maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new Failure('too-large', `${url.href} is ${length} bytes (Content-Length), over the ${opts.maxBytes}-byte limit`);
    }
    const bytes = await readCapped(res.body, opts.maxBytes, url.href, progress);
    if (looksBinary(bytes))
      throw new Failure(
        'unsupported-content',
        `${url.href} is binary data${type ? ` (served as ${type.split(';')[0]})` : ''}, not a web page or feed`,
      );
    return { status, headers: res.headers, bytes, bytesRead: progress.bytes };
  } catch (e) {
    const f = classifyError(e, url.href, fired, opts);
    f.status = status;
    f.bytesRead = progress.bytes;
    throw f;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GETs a URL politely and defensively: only http(s), the address guard and `beforeHop` (robots.txt)
 * on every redirect hop, redirects followed up to a limit with loops detected, retries with backoff on
 * 408, 429, 5xx… honouring Retry-After, timeouts, a streamed size cap and a content-type check.
 * Every outcome is a result with a reason; the only throw is Interrupted, when the run is stopping.
 */
export async function fetchDocument(req: FetchRequest, opts: HttpOptions): Promise<FetchResult> {
  const sleep = opts.sleep ?? defaultSleep;
  const redirects: string[] = [];
  const seen = new Set<string>();
  let current = req.url;
  let bytesRead = 0;
  const fail = (reason: FetchReason, detail: string, status: number | null = null): FetchResult => ({
    ok: false,
    reason,
    detail,
    status,
    finalUrl: current,
    redirects,
    bytesRead,
  });

  for (let hop = 0; ; hop++) {
    const parsed = parseHttpUrl(current);
    if (!parsed.ok) return fail(parsed.reason, hop ? `redirected to ${parsed.detail}` : parsed.detail);
    const url = parsed.url;
    url.hash = '';
    // Exact URLs, not canonical ones: sites often redirect `?utm_source=…` to the bare URL, which is no loop.
    seen.add(url.href);
    if (!opts.allowPrivate) {
      const addr = await checkAddress(url, opts.resolver);
      if (!addr.ok) return fail(addr.reason, hop ? `redirected to ${url.href}: ${addr.detail}` : addr.detail);
    }
    const refusal = await req.beforeHop?.(url, hop);
    if (refusal) return fail(refusal.reason, refusal.detail);

    let res: Hop;
    try {
      res = await withRetries(
        async (attempt) => {
          const r = await opts.gate
            .run(url.host, () => {
              if (opts.signal?.aborted) throw new Interrupted();
              return requestOnce(url, req, opts);
            })
            .catch((e: unknown) => {
              if (e instanceof Failure) bytesRead += e.bytesRead;
              throw e;
            });
          bytesRead += r.bytesRead;
          if (isRetryableStatus(r.status)) throw new RetryableStatus(r, attempt);
          return r;
        },
        verdict,
        {
          retries: opts.retries,
          baseMs: opts.retryBaseMs,
          maxMs: Number.POSITIVE_INFINITY,
          maxRetryAfterMs: opts.maxRetryAfterMs,
          sleep,
          // A server that says wait is asking it of every request to the host, not just this one.
          onRetry: ({ waitMs, error }) => {
            if (error instanceof RetryableStatus) opts.gate.backOff(url.host, waitMs);
          },
        },
      );
    } catch (e) {
      if (e instanceof Interrupted) throw e;
      if (!(e instanceof RetryableStatus)) {
        const f = e as Failure;
        return fail(f.reason, f.message, f.status);
      }
      const { status } = e.hop,
        after = retryAfterMs(e.hop.headers);
      if (after !== null && after > opts.maxRetryAfterMs) {
        return fail(
          'http-error',
          `HTTP ${status} from ${url.href}; Retry-After ${Math.round(after / 1000)} s is longer than the ${Math.round(opts.maxRetryAfterMs / 1000)} s limit`,
          status,
        );
      }
      return fail('http-error', `HTTP ${status} from ${url.href}${e.attempt ? ` after ${e.attempt + 1} attempts` : ''}`, status);
    }

    if (REDIRECT.has(res.status)) {
      const location = res.headers.get('location');
      if (!location) return fail('http-error', `HTTP ${res.status} redirect from ${url.href} without a Location`, res.status);
      const next = parseHttpUrl(location, url);
      if (!next.ok) return fail(next.reason, `${url.href} redirected to ${next.detail}`, res.status);
      next.url.hash = '';
      if (seen.has(next.url.href)) {
        return fail('redirect-loop', `redirect loop: ${[...redirects, url.href, next.url.href].join(' → ')}`, res.status);
      }
      if (hop + 1 > opts.maxRedirects) {
        return fail('too-many-redirects', `more than ${opts.maxRedirects} redirects starting at ${req.url}`, res.status);
      }
      redirects.push(url.href);
      current = next.url.href;
      continue;
    }
    const etag = res.headers.get('etag');
    const lastModified = res.headers.get('last-modified');
    if (res.status === 304)
      return {
        ok: true,
        notModified: true,
        status: 304,
        finalUrl: current,
        redirects,
        etag: etag ?? req.etag ?? null,
        lastModified: lastModified ?? req.lastModified ?? null,
        bytesRead,
      };
    if (res.status < 200 || res.status >= 300 || !res.bytes) return fail('http-error', `HTTP ${res.status} from ${url.href}`, res.status);
    return {
      ok: true,
      notModified: false,
      status: res.status,
      finalUrl: current,
      redirects,
      contentType: res.headers.get('content-type'),
      etag,
      lastModified,
      bytes: res.bytes,
      bytesRead,
    };
  }
}
