/**
 * A local news site for demonstrating `failscope collect` on 127.0.0.1 (see README, "Collecting news
 * from the web"). Every article here is invented for failscope; no outlet's text is used.
 *
 *   node bin/run-ts.js evals/servers/collect-demo/server.ts [--port 8765] [--log requests.log]
 *
 * It serves good articles, a feed linking to them and to bad cases (404, 500, a body that never ends,
 * 50 MB, an image, a redirect loop, a robots.txt-disallowed page, a too-short page, a windows-1252 page
 * without a charset header, a syndicated copy, an opinion column), a malformed feed and a search endpoint.
 * Every request is logged as one line, so a restarted collect can be checked for repeated fetches.
 */
import { appendFileSync } from 'node:fs';
import { escapeHtml as esc } from '../../../pipeline/text/html.ts';
import { createServer, type ServerResponse } from 'node:http';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const PORT = Number(arg('port', '8765'));
const LOG = arg('log', '');
const BASE = `http://127.0.0.1:${PORT}`;

interface Story {
  path: string;
  title: string;
  outlet: string;
  author: string;
  date: string;
  section?: string;
  canonical?: string;
  paragraphs: string[];
}

const PAYROLL = [
  "About 4,100 employees of Harbor City Transit were not paid on Friday after a bug in an update to the authority's payroll software stopped the weekly payment file from being sent to its bank, the authority said.",
  'The update, installed on Wednesday night, changed how the system rounds overtime hours. A validation step that checks the payment file before it leaves the system rejected every record in which overtime had been rounded under the new rule, and the file was held back without an alert reaching the payroll team.',
  'Drivers and maintenance staff noticed the missing payments on Friday morning. By noon the authority had confirmed the problem, and its chief financial officer, Mariela Okonjo, apologised in a message to staff. "This was our failure, not yours," she wrote, promising that no employee would pay bank fees because of the delay.',
  'Engineers rolled the update back on Friday afternoon and sent a corrected file, and most employees were paid on Saturday. The authority said it would add a test of the payment file to its release checklist and would make sure that a held file always raises an alarm.',
  "The drivers' union said members had been forced to borrow money to cover rent and asked for an independent review of how the update was approved.",
];

const AIRPORT = [
  "Check-in desks at Northfield Regional Airport were unable to issue boarding passes for almost three hours on Tuesday morning after an outage of the airport's shared check-in system, caused by a security certificate that expired overnight, delayed 38 departures.",
  'The certificate allows the check-in terminals to connect securely to the central passenger database. When it expired at 4 a.m., every terminal began rejecting that connection, and staff fell back on handwritten passenger lists for the first flights of the day.',
  'Airport operations director Tomas Reyes said a reminder about the renewal had been sent to an email address belonging to an engineer who had left the company. "The warning went to nobody," he said. A new certificate was installed at 6:52 a.m. and desks recovered over the following hour.',
  'About 5,000 passengers were affected, and two early flights left without some of their checked luggage. The airport said it would move certificate renewals to an automated system that renews them weeks in advance and pages the on-call team if renewal fails.',
  'The regional aviation authority said it had asked the airport for a written report on the outage and on how its backup procedures worked.',
];

const HOSPITAL_1252 = [
  'Patients at St. Aldric Hospital turned up for appointments that did not exist this week after a software glitch in the hospital\u2019s booking system double-booked more than 600 clinic slots, the hospital said on Thursday.',
  'The booking system was moved to a new time-zone library on Monday. The change shifted some appointments made before the clocks changed by an hour, so two patients could be given what the system saw as different slots but the clinic saw as the same one. Staff at the caf\u00e9 near outpatients said queues of confused patients formed within minutes of opening.',
  'Chief medical officer Dr. Ren\u00e9e Halvorsen said no patient had come to harm, but that about 240 appointments had to be rescheduled. \u201cWe are contacting every affected patient personally,\u201d she said. The hospital has reverted the change and is checking every booking made since Monday by hand.',
  'The software supplier said the fault came from a na\u00efve conversion of stored times that its tests had not covered, and that a fix would be tested against a copy of the hospital\u2019s real bookings before it is installed again.',
];

const OPINION = [
  'Every few weeks another story lands on my desk in which a routine update stops paychecks, grounds flights or sends patients to the wrong clinic. Each time, the organisation involved promises a review, and each time the review finds the same thing: a change went out without anyone testing the part of the system that actually failed.',
  'We would not accept this from a bridge builder. A bridge that opened without a load test would be a scandal, yet we let payroll and booking systems change under our feet on a Wednesday night with nothing but a checklist and hope.',
  'The fixes are not mysterious. Test the output, not just the code. Make sure every alarm reaches a person who still works there. Rehearse the fallback before you need it. None of this is expensive compared with a day of unpaid drivers or grounded passengers.',
  'Until organisations treat software changes with the care they give to physical infrastructure, columns like this one will keep being written.',
];

const LIBRARY = [
  'The Harbor City public library will open its central branch on Sunday afternoons from next month, the city council announced on Monday, after a survey found that weekend hours were the most requested change among residents.',
  "The branch will open from noon to 5 p.m. on Sundays, staffed by a mix of existing employees working rotating shifts and four new part-time hires. The council said the extra hours would cost about 180,000 a year, funded from savings on the building's heating after new windows were installed last winter.",
  'Library director Hana Whitlock said the Sunday hours would include a homework club for secondary-school students and a weekly session helping older residents use online public services. "People told us that weekdays simply do not work for them," she said.',
  'The council will review attendance after six months and decide whether to extend Sunday opening to two more branches in the north of the city.',
];

const stories: Story[] = [
  {
    path: '/articles/transit-payroll-update.html',
    title: 'Payroll software bug leaves 4,100 transit workers unpaid',
    outlet: 'Harbor City Ledger',
    author: 'Priya Landau',
    date: '2024-03-08T16:20:00Z',
    paragraphs: PAYROLL,
  },
  {
    path: '/amp/transit-payroll-update.html',
    title: 'Payroll software bug leaves 4,100 transit workers unpaid',
    outlet: 'Harbor City Ledger',
    author: 'Priya Landau',
    date: '2024-03-08T16:20:00Z',
    canonical: '/articles/transit-payroll-update.html',
    paragraphs: PAYROLL,
  },
  {
    path: '/articles/airport-checkin-certificate.html',
    title: 'Check-in system outage at Northfield airport blamed on expired certificate',
    outlet: 'Northfield Courier',
    author: 'Jonah Pereira',
    date: '2024-04-16T09:05:00Z',
    paragraphs: AIRPORT,
  },
  {
    path: '/wire/airport-checkin-outage-copy.html',
    title: 'Airport check-in desks go dark after certificate lapses',
    outlet: 'Valley Evening Post',
    author: 'Wire staff',
    date: '2024-04-16T11:40:00Z',
    paragraphs: [
      ...AIRPORT.slice(0, 4),
      'This story was first published by the Northfield Courier and is republished here under a content-sharing agreement.',
    ],
  },
  {
    path: '/opinion/software-changes-need-tests.html',
    title: 'Opinion: We keep trusting software changes nobody tested',
    outlet: 'Harbor City Ledger',
    author: 'Alma Ferreira',
    date: '2024-04-20T07:00:00Z',
    section: 'Opinion',
    paragraphs: OPINION,
  },
  {
    path: '/articles/library-sunday-hours.html',
    title: 'Central library to open on Sundays',
    outlet: 'Harbor City Ledger',
    author: 'Priya Landau',
    date: '2024-04-22T10:00:00Z',
    paragraphs: LIBRARY,
  },
  {
    path: '/members/transit-payroll-internal-report.html',
    title: 'Internal report on the payroll update',
    outlet: 'Harbor City Ledger',
    author: 'Staff',
    date: '2024-03-20T10:00:00Z',
    paragraphs: PAYROLL.slice(0, 3),
  },
  {
    path: '/articles/short-notice.html',
    title: 'Service notice',
    outlet: 'Harbor City Ledger',
    author: 'Staff',
    date: '2024-03-01T10:00:00Z',
    paragraphs: [
      'The ticket office at Central Station will close early on Friday for maintenance. Tickets can still be bought from the machines and the app.',
    ],
  },
];

function page(s: Story, charsetMeta = true): string {
  return `<!doctype html><html><head>${charsetMeta ? '<meta charset="utf-8">' : ''}<title>${esc(s.title)} | ${esc(s.outlet)}</title>
<meta property="og:site_name" content="${esc(s.outlet)}"><meta property="og:title" content="${esc(s.title)}">
<meta name="author" content="${esc(s.author)}"><meta property="article:published_time" content="${s.date}">
${s.section ? `<meta property="article:section" content="${esc(s.section)}">` : ''}
<link rel="canonical" href="${BASE}${s.canonical ?? s.path}">
<script type="application/ld+json">${JSON.stringify({ '@context': 'https://schema.org', '@type': s.section === 'Opinion' ? 'OpinionNewsArticle' : 'NewsArticle', headline: s.title, datePublished: s.date, author: { '@type': 'Person', name: s.author }, publisher: { '@type': 'Organization', name: s.outlet } })}</script>
</head><body><header><nav><a href="/">Home</a> · <a href="/news">News</a> · <a href="/opinion">Opinion</a></nav></header>
<main><article><h1>${esc(s.title)}</h1><p class="byline">By <span rel="author">${esc(s.author)}</span> · <time datetime="${s.date}">${s.date.slice(0, 10)}</time></p>
${s.paragraphs.map((p) => `<p>${esc(p)}</p>`).join('\n')}
</article></main><footer><p>© ${esc(s.outlet)}. All rights reserved.</p></footer></body></html>`;
}

const hospital: Story = {
  path: '/articles/hospital-booking-timezones.html',
  title: 'Booking software glitch double-books 600 hospital appointments',
  outlet: 'St. Aldric Gazette',
  author: 'Corinne Maddox',
  date: '2024-04-04T13:00:00Z',
  paragraphs: HOSPITAL_1252,
};

/** The hospital page as windows-1252 bytes, with no charset in the header or the markup: decoding must sniff. */
function cp1252(text: string): Buffer {
  const high: Record<string, number> = { '\u2019': 0x92, '\u201c': 0x93, '\u201d': 0x94, '\u2013': 0x96, '\u2014': 0x97 };
  return Buffer.from([...text].map((c) => high[c] ?? (c.charCodeAt(0) < 256 ? c.charCodeAt(0) : 0x3f)));
}

interface Item {
  link: string;
  title: string;
  date: string;
}
const rss = (title: string, items: Item[]) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${esc(title)}</title><link>${BASE}/</link><description>Demo feed</description>
${items.map((i) => `<item><title>${esc(i.title)}</title><link>${esc(i.link)}</link><guid>${esc(i.link)}</guid><pubDate>${new Date(i.date).toUTCString()}</pubDate></item>`).join('\n')}
</channel></rss>`;

const FEED_ITEMS: Item[] = [
  ...stories.filter((s) => !s.path.startsWith('/amp/')).map((s) => ({ link: `${BASE}${s.path}`, title: s.title, date: s.date })),
  {
    link: `${BASE}/articles/transit-payroll-update.html?utm_source=rss&utm_medium=feed`,
    title: 'Payroll software bug leaves 4,100 transit workers unpaid',
    date: '2024-03-08T16:20:00Z',
  },
  { link: `${BASE}${hospital.path}`, title: hospital.title, date: hospital.date },
  { link: `${BASE}/go/airport`, title: 'Airport check-in (short link)', date: '2024-04-16T09:05:00Z' },
  { link: `${BASE}/articles/removed-story.html`, title: 'A story that was taken down', date: '2024-04-01T08:00:00Z' },
  { link: `${BASE}/articles/server-error.html`, title: 'A page whose server keeps failing', date: '2024-04-01T08:00:00Z' },
  { link: `${BASE}/articles/never-finishes.html`, title: 'A page that never finishes loading', date: '2024-04-01T08:00:00Z' },
  { link: `${BASE}/articles/enormous.html`, title: 'A 50 MB page', date: '2024-04-01T08:00:00Z' },
  { link: `${BASE}/images/chart.png`, title: 'An image, not an article', date: '2024-04-01T08:00:00Z' },
  { link: `${BASE}/loop/a`, title: 'A redirect loop', date: '2024-04-01T08:00:00Z' },
];

const counts = new Map<string, number>();
function log(method: string, url: string, status: number, note = ''): void {
  const n = (counts.get(url) ?? 0) + 1;
  counts.set(url, n);
  const line = `${new Date().toISOString()} ${method} ${url} ${status}${note ? ` ${note}` : ''}${n > 1 ? ` (request #${n} for this URL)` : ''}`;
  process.stdout.write(`${line}\n`);
  if (LOG) appendFileSync(LOG, `${line}\n`);
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  type = 'text/html; charset=utf-8',
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': type, ...headers });
  res.end(body);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', BASE);
  const path = url.pathname;
  const story = stories.find((s) => s.path === path);
  const status = (code: number, note = '') => log(req.method ?? 'GET', `${path}${url.search}`, code, note);

  if (path === '/robots.txt') {
    status(200);
    return send(res, 200, 'User-agent: *\nDisallow: /members/\n', 'text/plain');
  }
  if (path === '/feed.xml') {
    const etag = '"feed-v1"';
    if (req.headers['if-none-match'] === etag) {
      status(304, 'not modified');
      res.writeHead(304, { ETag: etag });
      return res.end();
    }
    status(200);
    return send(res, 200, rss('Harbor City Ledger: software failures', FEED_ITEMS), 'application/rss+xml; charset=utf-8', { ETag: etag });
  }
  if (path === '/malformed.xml') {
    status(200);
    return send(
      res,
      200,
      '<?xml version="1.0"?><rss version="2.0"><channel><title>Broken<item><title>Unclosed</channel>',
      'application/rss+xml',
    );
  }
  if (path === '/search') {
    // A stand-in for a news-search RSS endpoint: items whose title mentions the query's keyword.
    const keyword = /software (\S+)/.exec(url.searchParams.get('q') ?? '')?.[1] ?? '';
    const hits = [...stories, hospital].filter(
      (s) =>
        !s.path.startsWith('/amp/') &&
        !s.path.startsWith('/members/') &&
        `${s.title} ${s.paragraphs.join(' ')}`.toLowerCase().includes(keyword.toLowerCase()),
    );
    status(200);
    return send(
      res,
      200,
      rss(
        `Search: ${url.searchParams.get('q')}`,
        hits.map((s) => ({ link: `${BASE}${s.path}`, title: s.title, date: s.date })),
      ),
      'application/rss+xml; charset=utf-8',
    );
  }
  if (story) {
    status(200);
    return send(res, 200, page(story));
  }
  if (path === hospital.path) {
    status(200);
    return send(res, 200, cp1252(page(hospital, false)), 'text/html');
  }
  if (path === '/go/airport') {
    status(301);
    return send(res, 301, '', 'text/plain', { Location: '/go/airport-2' });
  }
  if (path === '/go/airport-2') {
    status(302);
    return send(res, 302, '', 'text/plain', { Location: `${BASE}/articles/airport-checkin-certificate.html?utm_campaign=short` });
  }
  if (path === '/loop/a') {
    status(302);
    return send(res, 302, '', 'text/plain', { Location: '/loop/b' });
  }
  if (path === '/loop/b') {
    status(302);
    return send(res, 302, '', 'text/plain', { Location: '/loop/a' });
  }
  if (path === '/articles/server-error.html') {
    status(500);
    return send(res, 500, 'Internal Server Error', 'text/plain');
  }
  if (path === '/articles/never-finishes.html') {
    status(200, 'body never ends');
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.write('<!doctype html><html><head><title>Loading</title></head><body><p>Still loading');
    const t = setInterval(() => res.write('.'), 500);
    res.on('close', () => clearInterval(t));
    return;
  }
  if (path === '/articles/enormous.html') {
    // 50 MB, streamed without a Content-Length; counts what the client actually read before hanging up.
    res.writeHead(200, { 'Content-Type': 'text/html' });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const total = 50 * 1024 * 1024;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('close', () =>
      log(
        'GET',
        path,
        200,
        `50 MB page: ${(sent / 1024 / 1024).toFixed(1)} MB written before the client ${sent >= total ? 'finished' : 'hung up'}`,
      ),
    );
    return pump();
  }
  if (path === '/images/chart.png') {
    status(200);
    return send(
      res,
      200,
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1]),
      'image/png',
    );
  }
  status(404);
  return send(res, 404, '<html><body><h1>Not found</h1></body></html>');
});

server.listen(PORT, '127.0.0.1', () => {
  process.stdout.write(
    `collect demo site on ${BASE}  (feed ${BASE}/feed.xml, malformed feed ${BASE}/malformed.xml, search ${BASE}/search?q=…)\n`,
  );
});
const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
