import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http.ts';

/**
 * The page is the only client meant to write. Every response forbids framing, sniffing and any script
 * or style not served from here; writes need the token the server put in the page (a cross-origin page
 * cannot read it), a same-origin Origin when the browser sends one, and a Host naming this server
 * (a DNS-rebinding page would send its own name).
 */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
}

export const CSRF_HEADER = 'x-csrf-token';

/** Loopback addresses and names: only this machine can reach them, so the page needs no named hosts there. */
export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
const anyInterface = (host: string) => host === '0.0.0.0' || host === '::';

/** A name as a Host header carries it: with the port unless one is given, IPv6 literals in brackets. */
function hostHeader(name: string, port: number): string {
  const n = name.trim().toLowerCase();
  if (n.startsWith('[')) return n.includes(']:') ? n : `${n}:${port}`;
  if ((n.match(/:/g) ?? []).length > 1) return `[${n}]:${port}`;
  return n.includes(':') ? n : `${n}:${port}`;
}

export class Guard {
  /** One token per server session: restarting the server invalidates open pages, which then reload. */
  readonly token = randomBytes(32).toString('base64url');
  private hosts = new Set<string>();

  /**
   * The Host headers the server answers to: its own address (loopback names when bound to every
   * interface) and the names it was given. Never "any": a DNS-rebinding page sends a name of its own.
   */
  bind(host: string, port: number, allowed: readonly string[] = []): string[] {
    const own = anyInterface(host)
      ? ['127.0.0.1', 'localhost', '::1']
      : host === '127.0.0.1' || host === '::1'
        ? [host, 'localhost']
        : [host];
    this.hosts = new Set([...own, ...allowed].map((n) => hostHeader(n, port)));
    return [...this.hosts];
  }

  checkHost(req: IncomingMessage): void {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!host) throw new HttpError(400, 'the request has no Host header');
    if (!this.hosts.has(host))
      throw new HttpError(
        421,
        `this server does not answer for host "${host}" (it answers for ${[...this.hosts].join(', ')}; see --allowed-host)`,
      );
  }

  /** For POSTs: same origin if the browser says, and the page's token. */
  checkWrite(req: IncomingMessage): void {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`)
      throw new HttpError(403, `cross-origin request from ${origin} refused`);
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new HttpError(403, `cross-site request (${site}) refused`);
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sent) throw new HttpError(403, `missing CSRF token (header ${CSRF_HEADER}); reload the page`);
    const a = Buffer.from(sent),
      b = Buffer.from(this.token);
    if (a.length !== b.length || !timingSafeEqual(a, b))
      throw new HttpError(403, 'invalid CSRF token: the server was restarted or the page is stale; reload the page');
  }
}
