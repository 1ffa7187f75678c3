import robotsParser from 'robots-parser';
import { decodeBody } from '../text/charset.ts';
import { fetchDocument, type HttpOptions } from './http.ts';

export interface RobotsPolicy {
  allows(url: URL): boolean;
  /** Crawl-delay for our group, in ms, when the site sets one. */
  crawlDelayMs: number | null;
}

const ALLOW_ALL: RobotsPolicy = { allows: () => true, crawlDelayMs: null };
const DISALLOW_ALL: RobotsPolicy = { allows: (u) => u.pathname === '/robots.txt', crawlDelayMs: null };

// One file is parsed per origin, so rules are matched on path and query alone, under a stand-in origin.
const BASE = 'http://robots.invalid';

/**
 * Parses robots.txt per RFC 9309 with robots-parser: the groups naming our product token (case-insensitive,
 * any `/version` dropped) apply, else the `*` groups; `*` and a final `$` in patterns; the longest matching
 * rule wins and Allow wins a tie. /robots.txt itself is always allowed.
 */
export function parseRobots(text: string, productToken: string): RobotsPolicy {
  const robots = robotsParser(`${BASE}/robots.txt`, text);
  const delay = robots.getCrawlDelay(productToken);
  return {
    crawlDelayMs: delay !== undefined && Number.isFinite(delay) && delay >= 0 ? delay * 1000 : null,
    allows: (url) => url.pathname === '/robots.txt' || robots.isAllowed(`${BASE}${url.pathname}${url.search}`, productToken) !== false,
  };
}

/**
 * robots.txt per origin, fetched once per run through the same polite, guarded client. Per RFC 9309 a
 * missing file (4xx) allows everything and an unreachable one (5xx, timeout, network) disallows everything.
 */
export class RobotsCache {
  private readonly policies = new Map<string, Promise<{ policy: RobotsPolicy; note: string }>>();

  constructor(
    private readonly http: HttpOptions,
    private readonly productToken: string,
    private readonly maxCrawlDelayMs = 30_000,
  ) {}

  private load(origin: string): Promise<{ policy: RobotsPolicy; note: string }> {
    let p = this.policies.get(origin);
    if (!p) {
      p = (async () => {
        const url = `${origin}/robots.txt`;
        const r = await fetchDocument({ url, accept: 'robots' }, this.http);
        if (r.ok && !r.notModified) return { policy: parseRobots(decodeBody(r.bytes, r.contentType).text, this.productToken), note: '' };
        if (!r.ok && r.status !== null && r.status >= 400 && r.status < 500) return { policy: ALLOW_ALL, note: '' };
        return {
          policy: DISALLOW_ALL,
          note: ` (robots.txt unreachable: ${r.ok ? `HTTP ${r.status}` : r.detail}; RFC 9309 says to assume everything is disallowed)`,
        };
      })();
      this.policies.set(origin, p);
    }
    return p;
  }

  /** Null when allowed; otherwise why not. Applies the site's Crawl-delay (capped) to the host's politeness gate. */
  async check(url: URL): Promise<string | null> {
    const { policy, note } = await this.load(url.origin);
    if (policy.crawlDelayMs !== null) this.http.gate.setDelay(url.host, Math.min(policy.crawlDelayMs, this.maxCrawlDelayMs));
    return policy.allows(url) ? null : `${url.href} is disallowed by ${url.origin}/robots.txt for ${this.productToken}${note}`;
  }
}
