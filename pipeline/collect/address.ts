import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';

/** Resolves a host name to its addresses; injectable so tests need no DNS. */
export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export const dnsResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Ranges a news crawler has no business reaching: loopback, private, link-local, carrier-grade NAT,
 * unspecified, multicast and reserved. A link in a feed pointing here is how SSRF starts.
 * BlockList also matches IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) against the IPv4 ranges.
 */
const BLOCKED = (() => {
  const b = new BlockList();
  for (const [net, bits] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const)
    b.addSubnet(net, bits, 'ipv4');
  for (const [net, bits] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['fec0::', 10],
    ['ff00::', 8],
    // NAT64 and the deprecated IPv4-compatible form embed an IPv4 address; checked separately below.
  ] as const)
    b.addSubnet(net, bits, 'ipv6');
  return b;
})();

/** The IPv4 address embedded in a NAT64 (64:ff9b::/96) or IPv4-compatible (::/96) IPv6 address. */
function embeddedIpv4(ip: string): string | null {
  const m = /^(?:64:ff9b::|::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (!m) return null;
  if (m[1]) return m[1];
  const hi = Number.parseInt(m[2], 16),
    lo = Number.parseInt(m[3], 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** True for loopback, private, link-local and other non-public addresses, IPv4 or IPv6. */
export function isPrivateAddress(ip: string): boolean {
  const addr = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(addr);
  if (family === 4) return BLOCKED.check(addr, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(addr);
    return BLOCKED.check(addr, 'ipv6') || (v4 !== null && BLOCKED.check(v4, 'ipv4'));
  }
  return true; // not an address at all: refuse rather than guess
}

export type AddressCheck = { ok: true } | { ok: false; reason: 'private-address' | 'dns-failed'; detail: string };

/**
 * Refuses a URL whose host is, or resolves to, a non-public address. Literal IPs are checked directly;
 * names are resolved and refused if any address is private (a name with one public and one private
 * address would otherwise be a coin toss). The check is repeated on every redirect hop.
 */
export async function checkAddress(url: URL, resolver: Resolver): Promise<AddressCheck> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    return isPrivateAddress(host)
      ? {
          ok: false,
          reason: 'private-address',
          detail: `${host} is a private, loopback or link-local address (use --allow-private to fetch it)`,
        }
      : { ok: true };
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return { ok: false, reason: 'private-address', detail: `${host} is loopback (use --allow-private to fetch it)` };
  }
  let addresses: { address: string }[];
  try {
    addresses = await resolver(host);
  } catch (e) {
    return {
      ok: false,
      reason: 'dns-failed',
      detail: `cannot resolve ${host}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    };
  }
  if (!addresses.length) return { ok: false, reason: 'dns-failed', detail: `${host} has no addresses` };
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  return bad
    ? {
        ok: false,
        reason: 'private-address',
        detail: `${host} resolves to ${bad.address}, a private, loopback or link-local address (use --allow-private to fetch it)`,
      }
    : { ok: true };
}
