import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IncomingMessage, request } from 'node:http';
import { join } from 'node:path';
import { Guard } from '../pipeline/review/security.ts';
import { type ReviewServer, startReviewServer } from '../pipeline/review/server.ts';
import { Store } from '../pipeline/store/store.ts';
import { runCli } from './cli-runner.ts';
import { failscope } from './cli-in-process.ts';
import { tempDir } from './fixtures.ts';

const asking = (host: string) => ({ headers: { host } }) as IncomingMessage;
const answers = (g: Guard, host: string) => {
  try {
    g.checkHost(asking(host));
    return true;
  } catch {
    return false;
  }
};

describe('the review page answers only to the host names it was given', () => {
  it('bound to every interface, it answers to loopback and the allowed names, never to any name', () => {
    const g = new Guard();
    expect(g.bind('0.0.0.0', 4780, ['review.example.org', 'Box.lan:8080'])).toEqual([
      '127.0.0.1:4780',
      'localhost:4780',
      '[::1]:4780',
      'review.example.org:4780',
      'box.lan:8080',
    ]);
    for (const h of ['review.example.org:4780', 'REVIEW.example.org:4780', 'localhost:4780', 'box.lan:8080'])
      expect(answers(g, h), h).toBe(true);
    for (const h of ['evil.example:4780', 'review.example.org:80', 'box.lan:4780', '10.0.0.7:4780']) expect(answers(g, h), h).toBe(false);
    expect(() => g.checkHost(asking('evil.example:4780'))).toThrow(
      /does not answer for host "evil.example:4780" \(it answers for .*review\.example\.org:4780/,
    );
  });

  it('bound to one address, it answers to that address and the allowed names; IPv6 names are bracketed', () => {
    const g = new Guard();
    expect(g.bind('192.168.1.20', 80, ['fe80::1', 'review.lan'])).toEqual(['192.168.1.20:80', '[fe80::1]:80', 'review.lan:80']);
    expect(answers(g, '192.168.1.20:80')).toBe(true);
    expect(answers(g, 'localhost:80')).toBe(false);
  });

  it('refuses to start off loopback without --allowed-host, before it listens', async () => {
    const d = tempDir();
    const store = new Store(join(d.dir, 'r.db'));
    try {
      await expect(startReviewServer({ store, host: '0.0.0.0', port: 0 })).rejects.toThrow(
        /needs the names it may be reached by \(--allowed-host/,
      );
      await expect(startReviewServer({ store, host: '192.0.2.1', port: 0, allowedHosts: [] })).rejects.toThrow(/--allowed-host/);
    } finally {
      store.close();
      d.cleanup();
    }
  });
});

describe('on loopback with extra names', () => {
  const d = tempDir();
  let store: Store;
  let srv: ReviewServer;
  beforeAll(async () => {
    store = new Store(join(d.dir, 'r.db'));
    srv = await startReviewServer({ store, port: 0, allowedHosts: ['review.test'] });
  });
  afterAll(async () => {
    await srv.close();
    store.close();
    d.cleanup();
  });

  it('answers to its address and the allowed name, and refuses another', async () => {
    const port = Number(new URL(srv.url).port);
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/api/meta', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end();
      });
    expect(srv.hosts).toEqual([`127.0.0.1:${port}`, `localhost:${port}`, `review.test:${port}`]);
    expect(await get(`review.test:${port}`)).toBe(200);
    expect(await get(`127.0.0.1:${port}`)).toBe(200);
    expect(await get(`rebound.example:${port}`)).toBe(421);
  });
});

/** A database to review (review refuses a path that holds none). */
const existingDb = (dir: string) => {
  const file = join(dir, 'r.db');
  new Store(file).close();
  return file;
};

describe('failscope review', () => {
  it('--host 0.0.0.0 without --allowed-host exits 1 and says what to add', async () => {
    const d = tempDir();
    try {
      // In-process: the command refuses before it listens.
      const r = await failscope('review', '--host', '0.0.0.0', '--port', '0', '--db', existingDb(d.dir));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/--allowed-host <name>/);
      expect(r.stdout).not.toMatch(/review page:/);
    } finally {
      d.cleanup();
    }
  });

  it('prints the names it answers to when it starts', async () => {
    const d = tempDir();
    try {
      let stderr = '';
      const r = await runCli(['review', '--port', '0', '--allowed-host', 'review.test', '--db', existingDb(d.dir)], (child) => {
        child.stderr!.on('data', (c) => {
          stderr += c;
          if (/Ctrl\+C to stop/.test(stderr)) child.kill('SIGTERM');
        });
      });
      expect(r.stdout).toMatch(/review page: http:\/\/127\.0\.0\.1:\d+\//);
      expect(r.stderr).toMatch(/answers to Host: 127\.0\.0\.1:(\d+), localhost:\1, review\.test:\1/);
    } finally {
      d.cleanup();
    }
  });
});
