import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Addresses a webhook must not reach unless WEBHOOK_ALLOW_PRIVATE (an app owner must not make Parley
 * probe its own network): unspecified, loopback, private, carrier-grade NAT, link-local, benchmark,
 * reserved, multicast and broadcast IPv4; unspecified, loopback, unique-local,
 * link-local, site-local and multicast IPv6. IPv4 inside IPv6 (mapped, compatible, NAT64) is checked
 * as the IPv4 address it carries.
 */
const blocked = new BlockList();
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
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

/** The IPv4 address an IPv6 address carries in its last 32 bits when it is mapped, compatible or NAT64. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const prefix = /^(::ffff:|::|64:ff9b::)([0-9a-f.:]+)$/.exec(lower);
  if (!prefix) return undefined;
  const rest = prefix[2]!;
  if (isIPv4(rest)) return rest;
  const groups = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(rest);
  if (!groups) return undefined;
  const hi = parseInt(groups[1]!, 16);
  const lo = parseInt(groups[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Whether a resolved address is one webhooks refuse (see above); a string that is no address is refused too. */
export function isForbiddenAddress(address: string): boolean {
  if (isIPv4(address)) return blocked.check(address, 'ipv4');
  if (!isIPv6(address)) return true;
  const v4 = embeddedIpv4(address);
  return (v4 !== undefined && blocked.check(v4, 'ipv4')) || blocked.check(address, 'ipv6');
}
