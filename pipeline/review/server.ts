import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from '../store/store.ts';
import { sendAsset, sendPage } from './assets.ts';
import { HttpError, sendJson } from './http.ts';
import { route } from './routes.ts';
import { Guard, isLoopback, securityHeaders } from './security.ts';

export interface ReviewServerOptions {
  store: Store;
  /** 127.0.0.1 unless asked: the page writes to the user's database. */
  host?: string;
  /** Host names the page may be reached by besides the address it listens on; required off loopback. */
  allowedHosts?: readonly string[];
  /** 0 picks a free port. */
  port?: number;
  /** The reviewer name the page starts with (it remembers the user's own in localStorage). */
  reviewer?: string | null;
  log?: (line: string) => void;
}

export interface ReviewServer {
  url: string;
  /** The Host headers it answers to (`name:port`). */
  hosts: string[];
  token: string;
  server: Server;
  close(): Promise<void>;
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: ReviewServerOptions, guard: Guard): Promise<void> {
  securityHeaders(res);
  const api = (req.url ?? '').startsWith('/api/');
  try {
    guard.checkHost(req);
    const url = new URL(req.url ?? '/', 'http://review.invalid');
    const method = req.method ?? 'GET';
    if (api) {
      const { route: r, params } = route(method, url.pathname);
      await r.handle({ req, res, url, params, store: opts.store, guard, reviewer: opts.reviewer ?? null });
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} is not allowed on ${url.pathname}`);
    if (url.pathname === '/' || url.pathname === '/index.html') return await sendPage(res, guard.token, method === 'HEAD');
    if (url.pathname.startsWith('/static/')) return await sendAsset(res, url.pathname.slice('/static/'.length), method === 'HEAD');
    throw new HttpError(404, `no such page: ${url.pathname}`);
  } catch (e) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (e instanceof HttpError) {
      // A body left unread would stall keep-alive clients; drop the connection instead.
      if (e.status === 413) res.setHeader('connection', 'close');
      sendJson(res, e.status, { error: e.message });
    } else {
      opts.log?.(`review: ${req.method} ${req.url} failed: ${(e as Error).stack ?? e}`);
      sendJson(res, 500, { error: `internal error: ${(e as Error).message}` });
    }
  }
}

/** Starts the review page's server and resolves once it listens. */
export async function startReviewServer(opts: ReviewServerOptions): Promise<ReviewServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.allowedHosts?.length) {
    throw new Error(
      `the review page on ${host} needs the names it may be reached by (--allowed-host <name>, repeatable): answering to any name would let a DNS-rebinding page in`,
    );
  }
  const guard = new Guard();
  const server = createServer({ requestTimeout: 30_000 }, (req, res) => {
    void handle(req, res, opts, guard);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hosts = guard.bind(host, port, opts.allowedHosts);
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    hosts,
    token: guard.token,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
