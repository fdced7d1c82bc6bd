import { ConfigurationError } from './configuration.error';
import { isCidr } from './cidr-list';

/** Express's `trust proxy`: off, a number of proxy hops, or the proxies' addresses, ranges or names. */
export type TrustProxy = false | number | string[];

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY. Only a proxy we trust may set the client address through X-Forwarded-For, so `true`
 * (trust every hop, which lets any client write its own address) is refused.
 */
export function parseTrustProxy(text: string | undefined): TrustProxy {
  const value = text?.trim() ?? '';
  if (value === '' || /^(off|false|0)$/i.test(value)) return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 16) throw new ConfigurationError('TRUST_PROXY', 'must be at most 16 proxy hops');
    return hops;
  }
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (!PROXY_NAMES.includes(entry) && !isCidr(entry)) {
      throw new ConfigurationError(
        'TRUST_PROXY',
        `"${entry}" is not a hop count, ${PROXY_NAMES.join(', ')}, or an IPv4/IPv6 address or CIDR range` +
          (entry === 'true' ? ' (true would let any client choose its own address)' : ''),
      );
    }
  }
  return entries;
}
