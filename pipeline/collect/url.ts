import type { FetchReason } from '../../schemas/collect.ts';

/**
 * Query parameters that only say how a reader arrived (campaigns, click ids, share widgets). Two links
 * differing only in these are the same page.
 */
const TRACKING = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'twclid',
  'igshid',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_gl',
  'mkt_tok',
  'ocid',
  'cmpid',
  'smid',
  'smtyp',
  'sr_share',
  'ref_src',
  'ref_url',
  'guccounter',
  'guce_referrer',
  'guce_referrer_sig',
  'taid',
  's_cid',
  'ito',
  'oc',
  'at_medium',
  'at_campaign',
  'at_custom1',
  'at_custom2',
  'at_custom3',
  'at_custom4',
  '__twitter_impression',
  'spm',
]);
const TRACKING_PREFIXES = ['utm_', 'ns_', 'pk_', 'mtm_', 'hsa_', 'vero_'];

const isTracking = (name: string) => {
  const n = name.toLowerCase();
  return TRACKING.has(n) || TRACKING_PREFIXES.some((p) => n.startsWith(p));
};

export type ParsedUrl =
  | { ok: true; url: URL }
  | { ok: false; reason: Extract<FetchReason, 'invalid-url' | 'unsupported-scheme'>; detail: string };

/** Parses a URL (relative to `base` if given) and allows only http(s): file:, data:, ftp: and the rest are refused. */
export function parseHttpUrl(raw: string, base?: string | URL): ParsedUrl {
  let url: URL;
  try {
    url = new URL(raw.trim(), base);
  } catch {
    return { ok: false, reason: 'invalid-url', detail: `not a URL: ${JSON.stringify(raw.slice(0, 200))}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      ok: false,
      reason: 'unsupported-scheme',
      detail: `only http and https are fetched, not ${url.protocol} (${raw.slice(0, 200)})`,
    };
  }
  if (!url.hostname) return { ok: false, reason: 'invalid-url', detail: `no host in ${raw.slice(0, 200)}` };
  if (url.username || url.password) return { ok: false, reason: 'invalid-url', detail: `credentials in URLs are refused (${url.host})` };
  return { ok: true, url };
}

/**
 * The canonical form used as identity: fragment and tracking parameters dropped, remaining parameters
 * sorted (their order never changes the page). Scheme, host and default ports are already normalised
 * by the WHATWG parser.
 */
export function canonicalUrl(url: URL | string): string {
  const u = new URL(url.toString());
  u.hash = '';
  const kept = [...u.searchParams].filter(([k]) => !isTracking(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  u.search = kept.length ? `?${new URLSearchParams(kept).toString()}` : '';
  return u.toString();
}

/** `www.example.com` → `example.com`: a readable outlet name when the page does not give one. */
export const outletOf = (url: string) => new URL(url).hostname.replace(/^www\./, '');

/** The lines of a URL list, as collect reads one: blank lines and `#` comments (whole or trailing) left out. */
export const listedLines = (text: string): { entry: string; line: number }[] =>
  text.split(/\r?\n/).flatMap((raw, i) => {
    const entry = raw.replace(/\s+#.*$/, '').trim();
    return entry && !entry.startsWith('#') ? [{ entry, line: i + 1 }] : [];
  });
