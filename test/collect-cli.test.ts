import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../pipeline/store/store.ts';
import { ROOT, runCli } from './cli-runner.ts';
import { failscope } from './cli-in-process.ts';

// The documented demo, end to end through the CLI: a local 127.0.0.1 site (evals/servers/collect-demo/server.ts),
// a collect run killed with SIGKILL part-way (the real bin), a restart, `status`, and `run` over what was
// collected (in-process: what they do, not their process, is tested).

const dir = mkdtempSync(join(tmpdir(), 'failscope-collect-cli-'));
const DB = join(dir, 'demo.db');

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

let server: ChildProcess;
let base = '';
/** Paths the demo server was asked for, in order; listeners see each as it arrives. */
const requests: string[] = [];
const listeners = new Set<(path: string) => void>();

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [join(ROOT, 'bin', 'run-ts.js'), 'evals/servers/collect-demo/server.ts', '--port', String(port)], {
    cwd: ROOT,
  });
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    server.stdout!.on('data', (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('collect demo site on')) resolve();
        const m = / GET (\S+) \d{3}/.exec(line);
        if (m && !line.includes('MB written')) {
          requests.push(m[1]);
          for (const l of listeners) l(m[1]);
        }
      }
    });
    server.on('exit', (code) => reject(new Error(`demo server exited with ${code}`)));
  });
  writeFileSync(
    join(dir, 'urls.txt'),
    readFileSync(join(ROOT, 'evals/servers/collect-demo/urls.txt'), 'utf8').replaceAll('127.0.0.1:8765', `127.0.0.1:${port}`),
  );
  writeFileSync(
    join(dir, 'search.json'),
    readFileSync(join(ROOT, 'evals/servers/collect-demo/search.json'), 'utf8').replaceAll('127.0.0.1:8765', `127.0.0.1:${port}`),
  );
});

afterAll(() => {
  server?.kill('SIGTERM');
});

const collectArgs = () => [
  'collect',
  '--db',
  DB,
  '--feed',
  `${base}/feed.xml`,
  '--feed',
  `${base}/malformed.xml`,
  '--urls-file',
  join(dir, 'urls.txt'),
  '--search-config',
  join(dir, 'search.json'),
  '--allow-private',
  // No politeness pause (one host serves every request, one at a time): the kill is placed by the pages served, and
  // the timed-out page still being ahead of it keeps the run from finishing first.
  '--per-host-delay-ms',
  '0',
  '--timeout-ms',
  '4000',
  '--retries',
  '0',
  '--max-bytes',
  '2000000',
];

describe('failscope collect on a local site', () => {
  it('killed with SIGKILL and restarted, it fetches nothing twice and ends with every URL recorded', async () => {
    // Run 1: killed as soon as the site has served its sixth article page.
    const start1 = requests.length;
    let pages = 0;
    const first = await runCli(collectArgs(), (child) => {
      const l = (p: string) => {
        if (/^\/(articles|wire|opinion)\//.test(p) && ++pages === 6) {
          child.kill('SIGKILL');
          listeners.delete(l);
        }
      };
      listeners.add(l);
    });
    expect(first.signal).toBe('SIGKILL');
    const afterKill = new Store(DB);
    const recordedAfterRun1 = afterKill.fetches.list().filter((f) => f.state !== 'pending');
    afterKill.close();
    expect(first.stderr.split('\n')[0]).toMatch(/^failscope · backend offline/);
    const run1 = requests.slice(start1);

    // Run 2: the same command, to the end.
    const start2 = requests.length;
    const second = await failscope(...collectArgs());
    expect(second.code).toBe(3); // finished, with failures recorded
    expect(second.stdout).toContain(`next: failscope run --db ${DB}`);
    const run2 = requests.slice(start2);

    // Nothing recorded by run 1 is requested again by run 2. Only robots.txt (read once per run) and the
    // job in flight at the kill (one per host: its request, or its redirect hops) may repeat.
    const repeated = new Set(run2.filter((p) => run1.includes(p) && p !== '/robots.txt'));
    expect(repeated.size).toBeLessThanOrEqual(3);
    const pathOf = (u: string | null) => (u?.startsWith(base) ? u.slice(base.length) : null);
    const recordedPaths = new Set(
      recordedAfterRun1.flatMap((f) => [pathOf(f.requestedUrl), pathOf(f.finalUrl)]).filter((p): p is string => !!p),
    );
    expect(recordedAfterRun1.length).toBeGreaterThan(6);
    expect(run2.filter((p) => recordedPaths.has(p))).toEqual([]);
    expect(second.stderr).toMatch(/already known/);

    const status = await failscope('status', '--db', DB, '--json');
    const c = JSON.parse(status.stdout).collect;
    expect(c.pages.pending).toBe(0);
    expect(c.feeds).toMatchObject({ pending: 0, failed: 1 });
    expect(c.pages.fetched).toBe(5); // payroll, airport, opinion column, library, hospital (windows-1252)
    expect(c.opinion).toBe(1);
    expect(c.failedByReason).toMatchObject({
      'http-404': 1,
      'http-500': 1,
      timeout: 1,
      'too-large': 1,
      'unsupported-content': 1,
      'redirect-loop': 1,
      'robots-disallowed': 1,
      'too-short': 1,
      'malformed-feed': 1,
      'unsupported-scheme': 1,
      'invalid-url': 1,
    });
    expect(c.duplicateByReason).toMatchObject({ 'near-duplicate': 1, 'same-url': 2 });
    const text = await failscope('status', '--db', DB);
    expect(text.stdout).toMatch(/collect {3}pages: 5 collected \(1 opinion\), 3 duplicate, 10 failed, 0 pending/);
    expect(text.stdout).toMatch(/FAILED {4}http:\/\/127\.0\.0\.1:\d+\/loop\/a: redirect-loop/);

    // What was collected flows through the rest of the pipeline.
    const run = await failscope('run', '--db', DB);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/articles +5 stored/);
  });

  it('refuses 127.0.0.1 without --allow-private, and sends it no request', async () => {
    const before = requests.length;
    const r = await failscope('collect', '--db', join(dir, 'private.db'), `${base}/articles/library-sunday-hours.html`);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /failed +http:\/\/127\.0\.0\.1:\d+\/articles\/library-sunday-hours\.html +private-address: 127\.0\.0\.1 is a private/,
    );
    expect(requests.length).toBe(before);
    // Nothing collected: no pointer to `run`, which would have nothing to work on.
    expect(r.stdout).toContain('next: no page collected yet to run on; the failures above say why');
    expect(r.stdout).not.toContain('next: failscope run');
  });
});

describe('failscope collect --dry-run', () => {
  it('lists what a run would queue, names what it would refuse with the file and line, and fetches and stores nothing', async () => {
    const urls = join(dir, 'urls.txt');
    // A file saved on Windows, with a byte-order mark.
    writeFileSync(urls, '\ufeffhttps://example.com/a\r\n# a comment\r\n\r\nnot a url\r\nftp://x.y/z\r\nhttps://example.com/b # why\r\n');
    const db = join(dir, 'dry.db');
    const r = await failscope('collect', '--db', db, '--urls-file', urls, '--dry-run');
    expect(r.code).toBe(3);
    expect(r.stdout.trim().split('\n')).toEqual([
      `page    https://example.com/a  (${urls}:1)`,
      `refused not a url  invalid-url: not a URL: "not a url" (from ${urls}:4)`,
      `refused ftp://x.y/z  unsupported-scheme: only http and https are fetched, not ftp: (ftp://x.y/z) (from ${urls}:5)`,
      `page    https://example.com/b  (${urls}:6)`,
    ]);
    const store = new Store(db);
    try {
      const none = { pending: 0, fetched: 0, failed: 0, duplicate: 0 };
      expect(store.fetches.counts()).toMatchObject({ pages: none, feeds: none });
    } finally {
      store.close();
    }
  });

  it('reads the URLs piped in with --urls-file -, each named stdin:line', async () => {
    const r = await runCli(['collect', '--db', join(dir, 'dry-stdin.db'), '--urls-file', '-', '--dry-run'], (child) =>
      child.stdin!.end('https://example.com/a\n# a comment\nnot a url\n'),
    );
    expect(r.code).toBe(3);
    expect(r.stdout.trim().split('\n')).toEqual([
      'page    https://example.com/a  (stdin:1)',
      'refused not a url  invalid-url: not a URL: "not a url" (from stdin:3)',
    ]);
  });
});
