import { decodeBody } from './charset.ts';
import { fetchDocument, type HttpOptions } from './http.ts';

interface Rule { allow: boolean; pattern: string }
interface Group { agents: string[]; rules: Rule[]; crawlDelay: number | null }

export interface RobotsPolicy {
  allows(url: URL): boolean;
  /** Crawl-delay for our group, in ms, when the site sets one. */
  crawlDelayMs: number | null;
}

const ALLOW_ALL: RobotsPolicy = { allows: () => true, crawlDelayMs: null };
const DISALLOW_ALL: RobotsPolicy = { allows: (u) => u.pathname === '/robots.txt', crawlDelayMs: null };

/** `*` matches any run of characters, a trailing `$` anchors the end (RFC 9309 §2.2.3). */
function toRegExp(pattern: string): RegExp {
  const anchored = pattern.endsWith('$');
  const body = (anchored ? pattern.slice(0, -1) : pattern).split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}${anchored ? '$' : ''}`);
}

/** Percent-encoding differs between robots.txt files and URLs; compare both decoded where it is safe. */
const normalise = (s: string) => { try { return decodeURI(s); } catch { return s; } };

/**
 * Parses robots.txt per RFC 9309: the groups naming our product token (case-insensitive) apply, else
 * the `*` groups; the longest matching rule wins and Allow wins a tie.
 */
export function parseRobots(text: string, productToken: string): RobotsPolicy {
  const groups: Group[] = [];
  let current: Group | null = null;
  let lastWasAgent = false;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1].toLowerCase(), value = m[2].trim();
    if (key === 'user-agent') {
      if (!current || !lastWasAgent) groups.push((current = { agents: [], rules: [], crawlDelay: null }));
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (!current) continue; // rules before any User-agent belong to no group
    if (key === 'allow' || key === 'disallow') {
      if (value) current.rules.push({ allow: key === 'allow', pattern: normalise(value) });
    } else if (key === 'crawl-delay') {
      const n = Number.parseFloat(value);
      if (Number.isFinite(n) && n >= 0) current.crawlDelay = n;
    }
  }
  const token = productToken.toLowerCase();
  let mine = groups.filter((g) => g.agents.some((a) => a.split('/')[0].trim() === token));
  if (!mine.length) mine = groups.filter((g) => g.agents.includes('*'));
  if (!mine.length) return ALLOW_ALL;
  const rules = mine.flatMap((g) => g.rules).map((r) => ({ ...r, re: toRegExp(r.pattern) }));
  const delay = mine.map((g) => g.crawlDelay).find((d) => d !== null) ?? null;
  return {
    crawlDelayMs: delay === null ? null : delay * 1000,
    allows(url: URL) {
      if (url.pathname === '/robots.txt') return true;
      const path = normalise(url.pathname + url.search);
      let best: { allow: boolean; len: number } | null = null;
      for (const r of rules) {
        if (!r.re.test(path)) continue;
        const len = r.pattern.length;
        if (!best || len > best.len || (len === best.len && r.allow)) best = { allow: r.allow, len };
      }
      return best?.allow ?? true;
    },
  };
}

/**
 * robots.txt per origin, fetched once per run through the same polite, guarded client. Per RFC 9309 a
 * missing file (4xx) allows everything and an unreachable one (5xx, timeout, network) disallows everything.
 */
export class RobotsCache {
  private readonly policies = new Map<string, Promise<{ policy: RobotsPolicy; note: string }>>();

  constructor(private readonly http: HttpOptions, private readonly productToken: string, private readonly maxCrawlDelayMs = 30_000) {}

  private load(origin: string): Promise<{ policy: RobotsPolicy; note: string }> {
    let p = this.policies.get(origin);
    if (!p) {
      p = (async () => {
        const url = `${origin}/robots.txt`;
        const r = await fetchDocument({ url, accept: 'robots' }, this.http);
        if (r.ok && !r.notModified) return { policy: parseRobots(decodeBody(r.bytes, r.contentType).text, this.productToken), note: '' };
        if (!r.ok && r.status !== null && r.status >= 400 && r.status < 500) return { policy: ALLOW_ALL, note: '' };
        return { policy: DISALLOW_ALL, note: ` (robots.txt unreachable: ${r.ok ? `HTTP ${r.status}` : r.detail}; RFC 9309 says to assume everything is disallowed)` };
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
