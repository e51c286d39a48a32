// Which URLs a webhook may call. HTTPS only, and never an address inside the network the app runs in
// (private, loopback, link-local, cloud metadata, ...), except for hosts a setting allows (localhost for
// local development). The URL is checked when an endpoint is registered and every address its host
// resolves to is checked again when a delivery connects (see src/adapters/webhook-sender.ts), so a DNS
// answer that changes later does not reach an inside address either. Knows nothing of Azure SDKs.
import { BlockList, isIP } from 'node:net';

/** Longest accepted endpoint URL. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

type Family = 'ipv4' | 'ipv6';

const RANGES: readonly [string, number, Family, string][] = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'private'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['168.63.129.16', 32, 'ipv4', 'metadata'], // Azure's platform endpoint (wire server)
  ['169.254.169.254', 32, 'ipv4', 'metadata'], // the instance metadata service of most clouds
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'private'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'private'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fc00::', 7, 'ipv6', 'private'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

/** Each range as a list of its own, first match wins (metadata before the link-local range it is in). */
const LISTS = RANGES.map(([address, prefix, family, reason]) => {
  const list = new BlockList();
  list.addSubnet(address, prefix, family);
  return { list, family, reason };
});

const reasonIn = (address: string, family: Family): string | undefined =>
  LISTS.find((range) => range.family === family && range.list.check(address, family))?.reason;

/** The IPv4 address an IPv6 address embeds (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`). */
function embeddedV4(address: string): string | undefined {
  const match = /^(?:::ffff:|64:ff9b::)(?:0:)?([0-9.]+|[0-9a-f]{1,4}:[0-9a-f]{1,4})$/i.exec(address);
  const tail = match?.[1];
  if (!tail) return undefined;
  if (tail.includes('.')) return isIP(tail) === 4 ? tail : undefined;
  const [high, low] = tail.split(':').map((part) => parseInt(part, 16));
  if (high === undefined || low === undefined) return undefined;
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/**
 * Why a webhook may not call `address` (an IP address): 'private', 'loopback', 'link-local',
 * 'metadata', 'multicast', 'reserved' or 'unspecified'; undefined when it is a public address.
 */
export function blockedAddressReason(address: string): string | undefined {
  const version = isIP(address);
  if (version === 4) return reasonIn(address, 'ipv4');
  if (version !== 6) return 'unspecified';
  const v4 = embeddedV4(address.toLowerCase());
  return v4 ? reasonIn(v4, 'ipv4') : reasonIn(address, 'ipv6');
}

/** A host name as the URL has it, without the brackets of an IPv6 literal, lower-case. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '').toLowerCase();

/** Whether `url`'s host is one the WEBHOOK_ALLOWED_HOSTS setting names. */
export const isAllowedHost = (url: URL, allowedHosts: readonly string[]): boolean =>
  allowedHosts.includes(hostOf(url));

/**
 * The problem with `raw` as an endpoint URL before any name is resolved, or the parsed URL: an absolute
 * http(s) URL without credentials, HTTPS unless its host is allowed, and an IP literal only if public
 * (or allowed).
 */
export function checkWebhookUrl(
  raw: string,
  allowedHosts: readonly string[],
): { ok: true; url: URL } | { ok: false; message: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, message: 'must be an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: 'must be an https URL' };
  }
  if (url.username || url.password) return { ok: false, message: 'must not hold a user name or password' };
  const allowed = isAllowedHost(url, allowedHosts);
  if (url.protocol === 'http:' && !allowed) return { ok: false, message: 'must be an https URL' };
  const host = hostOf(url);
  if (!allowed && isIP(host) !== 0) {
    const reason = blockedAddressReason(host);
    if (reason) return { ok: false, message: `must not point at a ${reason} address` };
  }
  return { ok: true, url };
}
