import { BlockList, isIP } from 'node:net';
import { WEBHOOK_URL_MAX } from './admin-webhooks.schemas';

/**
 * Where a webhook may point. The URL itself is checked when an endpoint is saved; the addresses its
 * host resolves to are checked before every request (DNS may change), so that an app owner cannot
 * make Parley probe the network it runs in.
 */

/** Why `raw` is not an acceptable webhook URL, or null. IP-literal hosts are checked here already. */
export function webhookUrlProblem(raw: string, opts: { allowHttp: boolean; allowPrivate: boolean }): string | null {
  if (raw.length > WEBHOOK_URL_MAX) return `url: at most ${WEBHOOK_URL_MAX} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url: must be an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'url: must be an absolute http(s) URL';
  if (url.protocol === 'http:' && !opts.allowHttp) return 'url: must be https:// (this server does not allow plain http: WEBHOOK_ALLOW_HTTP)';
  if (url.username !== '' || url.password !== '') return 'url: must not contain credentials (user:password@); sign with the secret instead';
  const host = hostOf(url);
  if (host === '') return 'url: must have a host';
  if (!opts.allowPrivate && (isLocalName(host) || (isIP(host) !== 0 && isPrivateAddress(host)))) {
    return `url: ${host} is a loopback, private or link-local address (this server does not allow them: WEBHOOK_ALLOW_PRIVATE)`;
  }
  return null;
}

/** The URL's host without IPv6 brackets. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** `localhost` and its subdomains resolve to loopback by definition (RFC 6761). */
const isLocalName = (host: string): boolean => /(^|\.)localhost\.?$/i.test(host);

/** Not reachable on the public internet, or reserved: loopback, private, link-local, CGNAT, multicast, … */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  // IPv4-mapped addresses (::ffff:a.b.c.d) are checked against the IPv4 ranges by BlockList itself.
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** Whether an IP address (v4 or v6) is loopback, private, link-local or otherwise not public. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true; // not an address: refuse rather than guess
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
