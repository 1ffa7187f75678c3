import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resolver } from '../pipeline/collect/address.ts';
import type { CollectOptions } from '../pipeline/collect/collect.ts';
import { Store } from '../pipeline/store/store.ts';

/** A fresh store in a temp dir. */
export function tempStore(): { store: Store; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'failscope-collect-')), 'test.db');
  return { store: new Store(path), path };
}

/** Every host "resolves" to a public address, so nock-served hosts pass the private-address guard without DNS. */
export const publicResolver: Resolver = async (host) =>
  host.startsWith('internal.') ? [{ address: '192.168.1.10', family: 4 }] : [{ address: '93.184.215.14', family: 4 }];

/** Options for tests: no politeness delay, short timeouts, retry waits recorded instead of slept. */
export function testOptions(over: Partial<CollectOptions> = {}): Partial<CollectOptions> & { waits: number[] } {
  const waits: number[] = [];
  return {
    resolver: publicResolver,
    perHostDelayMs: 0,
    timeoutMs: 2000,
    connectTimeoutMs: 2000,
    retries: 2,
    retryBaseMs: 10,
    sleep: async (ms) => {
      waits.push(ms);
    },
    robots: false,
    concurrency: 4,
    ...over,
    waits,
  };
}

/** Deterministic filler prose: a page per seed, different seeds sharing almost no 5-word runs. */
const VOCAB = `system update outage payroll airport booking hospital engineers rollback server database network certificate
  customers passengers patients delay morning evening weekend report council authority supplier release patch memory storage
  queue timeout login portal ticket flight train bank payment card branch clinic schedule backup failover cluster region cloud
  vendor contract audit review alarm monitoring dashboard incident response recovery hours minutes thousands staff union
  statement spokesperson apology refund investigation regulator deadline migration library version configuration error bug
  crash glitch fault defect restart terminal kiosk screen app website traffic load capacity queueing retry batch file transfer`.split(
  /\s+/,
);

export function prose(seed: number, words = 160): string[] {
  let x = seed * 7919 + 17;
  const next = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x;
  };
  const paragraphs: string[] = [];
  let count = 0;
  while (count < words) {
    const sentences: string[] = [];
    for (let s = 0; s < 4 && count < words; s++) {
      const n = 8 + (next() % 8);
      const w = Array.from({ length: n }, () => VOCAB[next() % VOCAB.length]);
      count += n;
      sentences.push(`${w[0][0].toUpperCase()}${w[0].slice(1)} ${w.slice(1).join(' ')}.`);
    }
    paragraphs.push(sentences.join(' '));
  }
  return paragraphs;
}

export function articleHtml(o: {
  title: string;
  paragraphs: string[];
  author?: string;
  date?: string;
  site?: string;
  canonical?: string;
  section?: string;
  charset?: string | null;
}): string {
  return `<!doctype html><html><head>${o.charset === null ? '' : `<meta charset="${o.charset ?? 'utf-8'}">`}<title>${o.title}</title>
${o.site ? `<meta property="og:site_name" content="${o.site}">` : ''}${o.author ? `<meta name="author" content="${o.author}">` : ''}
${o.date ? `<meta property="article:published_time" content="${o.date}">` : ''}${o.section ? `<meta property="article:section" content="${o.section}">` : ''}
${o.canonical ? `<link rel="canonical" href="${o.canonical}">` : ''}</head>
<body><nav><a href="/">Home</a></nav><article><h1>${o.title}</h1>${o.paragraphs.map((p) => `<p>${p}</p>`).join('\n')}</article><footer>Footer</footer></body></html>`;
}

export function rssFeed(items: { link: string; title: string; date?: string }[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Test feed</title><link>https://news.example/</link><description>d</description>
${items.map((i) => `<item><title>${i.title}</title><link>${i.link.replace(/&/g, '&amp;')}</link>${i.date ? `<pubDate>${new Date(i.date).toUTCString()}</pubDate>` : ''}</item>`).join('\n')}
</channel></rss>`;
}
