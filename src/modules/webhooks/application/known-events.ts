import * as accounts from '../../accounts';
import * as engagement from '../../customer-engagement';
import * as fulfillment from '../../fulfillment';
import * as ipn from '../../ipn';
import * as orders from '../../orders';
import * as subscriptions from '../../subscriptions';

/** Every event name the app raises, read from the event classes the modules export (static NAME and VERSION). */
export const KNOWN_EVENTS: ReadonlySet<string> = new Set(
  [accounts, engagement, fulfillment, ipn, orders, subscriptions]
    .flatMap((exports) => Object.values(exports as Record<string, unknown>))
    .filter(
      (value): value is { NAME: string } =>
        typeof value === 'function' &&
        typeof (value as { NAME?: unknown }).NAME === 'string' &&
        typeof (value as { VERSION?: unknown }).VERSION === 'number',
    )
    .map((contract) => contract.NAME),
);

/**
 * The patterns that match no event the app raises (a typo, a name that does not exist): an exact name
 * must be known, a prefix must match at least one known name.
 */
export function unknownPatterns(patterns: readonly string[]): string[] {
  const names = [...KNOWN_EVENTS];
  return patterns.filter((pattern) => {
    if (pattern === '*') return false;
    if (pattern.endsWith('.*')) return !names.some((name) => name.startsWith(pattern.slice(0, -1)));
    return !KNOWN_EVENTS.has(pattern);
  });
}
