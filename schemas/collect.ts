import { z } from 'zod';

/** A page is an article to extract; a feed (RSS/Atom, or a news-search query) yields page URLs. */
export const FetchKind = z.enum(['page', 'feed']);
export type FetchKind = z.infer<typeof FetchKind>;

/** Every URL is a job: pending until it ends fetched, failed (with a reason) or duplicate (linked to an original). */
export const FetchState = z.enum(['pending', 'fetched', 'failed', 'duplicate']);
export type FetchState = z.infer<typeof FetchState>;

/** Why a URL failed or was recorded as a duplicate: a closed vocabulary so `status` can count by reason. */
export const FetchReason = z.enum([
  // refused before any request
  'invalid-url',
  'unsupported-scheme',
  'private-address',
  'dns-failed',
  'robots-disallowed',
  // the request
  'timeout',
  'network-error',
  'http-error',
  'redirect-loop',
  'too-many-redirects',
  'too-large',
  'unsupported-content',
  // what came back
  'malformed-feed',
  'too-short',
  // duplicates
  'same-url',
  'same-content',
  'near-duplicate',
]);
export type FetchReason = z.infer<typeof FetchReason>;

/** One row of the `fetches` table. */
export const FetchRecord = z.object({
  id: z.number().int(),
  /** The requested URL in canonical form (tracking parameters stripped): the job's key. */
  url: z.string(),
  requestedUrl: z.string(),
  kind: FetchKind,
  /** Where the URL came from: `cli`, `file:line`, a feed URL or a search config. */
  source: z.string().nullable(),
  state: FetchState,
  reason: FetchReason.nullable(),
  detail: z.string().nullable(),
  httpStatus: z.number().int().nullable(),
  /** After redirects, canonicalised: the page's identity. */
  finalUrl: z.string().nullable(),
  /** `<link rel=canonical>` when the page gives one, else the final URL. */
  canonicalUrl: z.string().nullable(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  rawHash: z.string().nullable(),
  contentHash: z.string().nullable(),
  articleId: z.string().nullable(),
  duplicateOf: z.string().nullable(),
  /** Headline and date a feed item gave, used when the page itself has none. */
  title: z.string().nullable(),
  published: z.string().nullable(),
  byline: z.string().nullable(),
  opinion: z.boolean(),
  words: z.number().int().nullable(),
  /** Feed items found (feeds only). */
  items: z.number().int().nullable(),
  attempts: z.number().int(),
});
export type FetchRecord = z.infer<typeof FetchRecord>;

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/**
 * A news-search config: one query per keyword × outlet × date window, as FAIL collected Google News.
 * `{query}` in the template is replaced by the URL-encoded query; the query itself may use
 * {keyword}, {outlet}, {after} and {before}.
 */
export const SearchConfig = z
  .object({
    /** Free text for people reading the file. */
    description: z.string().optional(),
    template: z
      .string()
      .default('https://news.google.com/rss/search?q={query}&hl=en-US&gl=US&ceid=US:en')
      .refine((t) => t.includes('{query}'), 'template must contain {query}'),
    query: z.string().default('software {keyword} after:{after} before:{before} site:{outlet}'),
    keywords: z.array(z.string().min(1)).min(1),
    /** Domains for `site:`; empty means one query per keyword and window, without a site filter. */
    outlets: z.array(z.string().min(1)).default([]),
    /** Either explicit windows, or a range cut into months, weeks or days. */
    windows: z.union([
      z.array(z.object({ after: isoDay, before: isoDay })).min(1),
      z.object({ from: isoDay, to: isoDay, step: z.enum(['month', 'week', 'day']).default('month') }),
    ]),
  })
  .strict();
export type SearchConfig = z.infer<typeof SearchConfig>;
