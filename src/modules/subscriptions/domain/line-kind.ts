import type { SubscriptionOrderKind } from '../contracts/subscription.events';

/**
 * What an order line does to its subscription, from IPN_LICENSE_TYPE (PROTOCOL.md §12: NEW, RENEWAL,
 * UPGRADE; captured first purchases say REGULAR or TRIAL). Anything but RENEWAL and UPGRADE is a new
 * purchase.
 */
export function lineKind(licenseType: string | null): SubscriptionOrderKind {
  const type = licenseType?.trim().toUpperCase();
  if (type === 'RENEWAL') return 'renewal';
  if (type === 'UPGRADE') return 'upgrade';
  return 'new';
}
