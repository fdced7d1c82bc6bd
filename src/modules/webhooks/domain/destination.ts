import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may be sent: only http(s), and only to addresses on the public internet. Everything
 * else (loopback, private networks, link-local, cloud metadata, multicast, reserved and documentation
 * ranges) is refused, both when the endpoint is registered and when a delivery connects (after DNS,
 * for every address a name resolves to), unless WEBHOOK_ALLOW_PRIVATE is on. Addresses that carry an
 * IPv4 address inside an IPv6 one (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are judged by that IPv4
 * address. Classified with node:net's BlockList over IANA's special-purpose registries.
 */

/** Names refused whatever they resolve to (the metadata services of cloud providers). */
const REFUSED_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

const V4: ReadonlyArray<[string, number, string]> = [
  ['0.0.0.0', 8, 'an unspecified ("this network") address'],
  ['10.0.0.0', 8, 'a private address (RFC 1918)'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address (RFC 6598)'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.169.254', 32, 'the cloud metadata address'],
  ['169.254.0.0', 16, 'a link-local address'],
  ['172.16.0.0', 12, 'a private address (RFC 1918)'],
  ['192.0.0.0', 24, 'an IETF protocol address'],
  ['192.0.2.0', 24, 'a documentation address'],
  ['192.88.99.0', 24, 'a 6to4 relay address'],
  ['192.168.0.0', 16, 'a private address (RFC 1918)'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['198.51.100.0', 24, 'a documentation address'],
  ['203.0.113.0', 24, 'a documentation address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['255.255.255.255', 32, 'the broadcast address'],
  ['240.0.0.0', 4, 'a reserved address'],
];

const V6: ReadonlyArray<[string, number, string]> = [
  ['::', 128, 'the unspecified address'],
  ['::1', 128, 'a loopback address'],
  ['fd00:ec2::254', 128, 'the cloud metadata address'],
  ['100::', 64, 'a discard address'],
  ['2001:db8::', 32, 'a documentation address'],
  ['2001::', 23, 'an IETF protocol address (Teredo and others)'],
  ['fc00::', 7, 'a unique local address (fc00::/7)'],
  ['fe80::', 10, 'a link-local address'],
  ['fec0::', 10, 'a site-local address'],
  ['ff00::', 8, 'a multicast address'],
];

/** IPv6 ranges that carry an IPv4 address, and where it sits (the 16-bit groups holding it). */
const EMBEDDING: ReadonlyArray<{ range: [string, number]; groups: [number, number]; what: string }> = [
  { range: ['::ffff:0:0', 96], groups: [6, 7], what: 'IPv4-mapped' },
  { range: ['::', 96], groups: [6, 7], what: 'IPv4-compatible' },
  { range: ['64:ff9b::', 96], groups: [6, 7], what: 'NAT64' },
  { range: ['64:ff9b:1::', 48], groups: [6, 7], what: 'NAT64 (local use)' },
  { range: ['2002::', 16], groups: [1, 2], what: '6to4' },
];

interface Rule {
  readonly blocks: BlockList;
  readonly reason: string;
}

const rules = (entries: ReadonlyArray<[string, number, string]>, family: 'ipv4' | 'ipv6'): Rule[] =>
  entries.map(([address, prefix, reason]) => {
    const blocks = new BlockList();
    blocks.addSubnet(address, prefix, family);
    return { blocks, reason };
  });

const V4_RULES = rules(V4, 'ipv4');
const V6_RULES = rules(V6, 'ipv6');
const EMBEDDINGS = EMBEDDING.map((embedding) => {
  const blocks = new BlockList();
  blocks.addSubnet(embedding.range[0], embedding.range[1], 'ipv6');
  return { ...embedding, blocks };
});

/** Why this IP address may not be sent to; null when it is a public one. */
export function refusedAddress(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '').split('%')[0];
  const family = isIP(bare);
  if (family === 4) return V4_RULES.find((rule) => rule.blocks.check(bare, 'ipv4'))?.reason ?? null;
  if (family !== 6) return 'not an IP address';
  for (const embedding of EMBEDDINGS) {
    // `::` and `::1` sit in the IPv4-compatible range too: they are judged as themselves below.
    if (!embedding.blocks.check(bare, 'ipv6') || bare === '::' || bare === '::1') continue;
    const inner = refusedAddress(embeddedIpv4(bare, embedding.groups));
    return inner && `${inner} (${embedding.what})`;
  }
  return V6_RULES.find((rule) => rule.blocks.check(bare, 'ipv6'))?.reason ?? null;
}

/** A destination URL as registered: http(s) only; its host a public address or a name not refused. */
export type DestinationCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Checks a URL as given at registration. WHATWG URL parsing normalises the host first (`2130706433`,
 * `0x7f.1` and `127.1` become 127.0.0.1; `[::ffff:127.0.0.1]` becomes `[::ffff:7f00:1]`), so every
 * spelling of an address is judged as the address. A name is judged again when a delivery connects,
 * by what it resolves to.
 */
export function checkDestination(text: string, allowPrivate: boolean): DestinationCheck {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'is not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'must be an http:// or https:// URL' };
  if (url.username || url.password) return { ok: false, reason: 'must not carry a user name or password' };
  if (allowPrivate) return { ok: true, url };
  const host = url.hostname.replace(/\.$/, '').toLowerCase();
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) {
    const reason = refusedAddress(host);
    return reason ? { ok: false, reason: `points to ${reason}` } : { ok: true, url };
  }
  const name = refusedName(host);
  return name ? { ok: false, reason: `points to ${name}` } : { ok: true, url };
}

/**
 * Why a host name may not be sent to whatever it resolves to; null when it may. Other names are judged
 * by their addresses when a delivery connects (a name can be made to resolve to 127.0.0.1 at any time).
 */
export function refusedName(host: string): string | null {
  return REFUSED_NAMES.has(host.replace(/\.$/, '').toLowerCase()) ? 'a cloud metadata service' : null;
}

function embeddedIpv4(address: string, [high, low]: [number, number]): string {
  const groups = expand(address);
  return [groups[high] >> 8, groups[high] & 0xff, groups[low] >> 8, groups[low] & 0xff].join('.');
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part read as two groups). */
function expand(address: string): number[] {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right].map((group) => parseInt(group, 16));
}
