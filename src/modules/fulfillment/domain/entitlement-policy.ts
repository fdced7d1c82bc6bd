import type { EntitlementStatus } from '../persistence/entitlement.entity';

/** What fulfilment needs to know of an order (from its snapshot). */
export interface OrderStanding {
  /** The configured trigger (COMPLETE or PAYMENT_AUTHORIZED) was reached. */
  triggerReached: boolean;
  /** Canceled, reversed or refunded. */
  closed: boolean;
  fraudCleared: boolean;
}

/**
 * The status every line of an order should have, from the order as it stands (level-triggered, so
 * the outcome does not depend on the order events arrive in); null: no line exists yet. A closed
 * order that had reached its trigger keeps its lines, revoked: it was paid for, then taken back.
 */
export function desiredStatus(order: OrderStanding): EntitlementStatus | null {
  if (!order.triggerReached) return null;
  if (order.closed) return 'revoked';
  return order.fraudCleared ? 'granted' : 'held';
}

/** The move from `current` to `desired`, or null to stay: a revoked line is never given back. */
export function nextStatus(current: EntitlementStatus | null, desired: EntitlementStatus | null): EntitlementStatus | null {
  if (desired === null || current === desired || current === 'revoked') return null;
  return desired;
}
