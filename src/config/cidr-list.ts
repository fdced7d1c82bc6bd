import { BlockList, isIP } from 'node:net';
import { ConfigurationError } from './configuration.error';

/** IPv4 and IPv6 addresses and CIDR ranges, read from a comma-separated variable and validated at start. */
export class CidrList {
  private constructor(
    private readonly blocks: BlockList,
    readonly ranges: readonly string[],
  ) {}

  static parse(variable: string, text: string): CidrList {
    const ranges = text
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    if (ranges.length === 0) throw new ConfigurationError(variable, 'must list at least one address or CIDR range');
    const blocks = new BlockList();
    for (const range of ranges) addRange(variable, blocks, range);
    return new CidrList(blocks, ranges);
  }

  /** IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`, as a dual-stack socket reports) match IPv4 ranges. */
  includes(address: string | undefined): boolean {
    const bare = address?.split('%')[0] ?? ''; // without an IPv6 zone (`fe80::1%eth0`)
    const family = isIP(bare);
    return family !== 0 && this.blocks.check(bare, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** Whether `entry` is one IPv4/IPv6 address or CIDR range. */
export function isCidr(entry: string): boolean {
  return prefixOf(entry) !== undefined;
}

function addRange(variable: string, blocks: BlockList, range: string): void {
  const prefix = prefixOf(range);
  if (prefix === undefined) {
    throw new ConfigurationError(
      variable,
      `"${range}" is not an IPv4 or IPv6 address or CIDR range (such as 91.220.121.0/24 or 2001:db8::/32)`,
    );
  }
  const address = range.split('/')[0];
  blocks.addSubnet(address, prefix, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** The prefix length of an address (all its bits) or CIDR range; undefined when it is neither. */
function prefixOf(entry: string): number | undefined {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (prefix === undefined) return bits;
  const length = /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
  return length <= bits ? length : undefined;
}
