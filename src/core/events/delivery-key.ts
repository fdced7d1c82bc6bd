import type { DomainEvent } from './domain-event';

/**
 * What an event's deliveries are ordered by: its order (REFNO), else its license, else nothing (each
 * such event stands alone). Per target, the events of one key go out in log order. License events carry
 * the license in their data: `licenseRef` (subscription.grace_elapsed), `subscription.licenseRef`
 * (subscription.*), `licenseCode` (license.changed).
 */
export function deliveryKeyOf(event: Pick<DomainEvent, 'orderRef' | 'data'>): string | null {
  if (event.orderRef) return `order:${event.orderRef}`;
  const data = (event.data ?? {}) as { licenseRef?: unknown; licenseCode?: unknown; subscription?: { licenseRef?: unknown } };
  const license = data.licenseRef ?? data.subscription?.licenseRef ?? data.licenseCode;
  return typeof license === 'string' && license ? `license:${license}` : null;
}
