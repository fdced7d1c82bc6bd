/**
 * Level-triggered access: what each entitlement should be is a function of the orders and the
 * subscription as they stand, never of which event arrived, so any arrival order ends the same.
 *
 * An entitlement is access to one license for one customer (or to one line without a license). Each
 * order line carrying it has a status of its own, from its order; the line that pays for the latest
 * period decides (a renewal over the order it renews), and the subscription can end or suspend it.
 * Nothing is final: a reversal is retried, a dispute is won, a newer fraud verdict approves.
 */
export type EntitlementStatus = 'granted' | 'held' | 'revoked' | 'expired';
export type LineStatus = Exclude<EntitlementStatus, 'expired'>;

/** What fulfilment needs to know of an order (from its snapshot). */
export interface OrderStanding {
  /** The configured trigger (COMPLETE or PAYMENT_AUTHORIZED) was reached. */
  triggerReached: boolean;
  canceled: boolean;
  /** The newest payment step is a REVERSED. */
  paymentReversed: boolean;
  fraud: 'cleared' | 'pending' | 'denied';
  dispute: 'none' | 'open' | 'won' | 'lost';
  /** Lines refunded (all of them once the order is fully refunded). */
  refundedLines: ReadonlySet<number>;
}

/** The status the order gives one of its lines; null: the trigger was never reached, no line yet. */
export function lineStatus(order: OrderStanding, lineNo: number): LineStatus | null {
  if (!order.triggerReached) return null;
  if (order.canceled || order.paymentReversed || order.refundedLines.has(lineNo) || order.dispute === 'lost' || order.fraud === 'denied') {
    return 'revoked';
  }
  return order.dispute === 'open' || order.fraud === 'pending' ? 'held' : 'granted';
}

/** What the subscription allows: ended (expired, canceled), suspended (disabled, pending activation), or nothing against. */
export type LicenseAccess = 'open' | 'ended' | 'suspended';

export function licenseAccess(subscriptionStatus: string | null): LicenseAccess {
  if (subscriptionStatus === 'expired' || subscriptionStatus === 'canceled') return 'ended';
  if (subscriptionStatus === 'disabled' || subscriptionStatus === 'pending_activation') return 'suspended';
  return 'open';
}

export interface EntitlementLine {
  refNo: string;
  lineNo: number;
  status: LineStatus;
  licenseExpiresAt: string | null;
}

/** The line that decides: the latest expiry (platform dates sort as text), then the later order, then line. */
export function decidingLine<T extends EntitlementLine>(lines: readonly T[]): T {
  return lines.reduce((best, line) => (compareLines(line, best) > 0 ? line : best));
}

export function entitlementStatus(deciding: LineStatus, access: LicenseAccess): EntitlementStatus {
  if (deciding === 'revoked') return 'revoked';
  if (access === 'ended') return 'expired';
  if (access === 'suspended') return 'held';
  return deciding;
}

/** Access was taken away: it was granted, or it was held and is now gone for good. */
export function isWithdrawal(before: EntitlementStatus | null, after: EntitlementStatus): boolean {
  return before === 'granted' || (before === 'held' && after !== 'granted');
}

function compareLines(a: EntitlementLine, b: EntitlementLine): number {
  // REFNOs are numbers that grow: a longer one is a later one.
  return (
    compare(a.licenseExpiresAt ?? '', b.licenseExpiresAt ?? '') ||
    a.refNo.length - b.refNo.length ||
    compare(a.refNo, b.refNo) ||
    a.lineNo - b.lineNo
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
