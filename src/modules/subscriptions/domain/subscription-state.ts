import type { LicenseChange, SubscriptionOrderKind, SubscriptionStatus } from '../contracts/subscription.events';

/**
 * A subscription, merged from the LCNs about its licence and the paid orders that carry it. Each
 * group of fields keeps the platform date (YmdHis: an order's IPN_DATE, an LCN's DATE_UPDATED) of the
 * message that set it, and only a message at least as new replaces it: LCN fields follow the newest
 * LCN; status and expiry the newest message of either kind; the product the newest new purchase, or
 * the newest upgrade over it.
 */
export interface SubscriptionState {
  licenseRef: string;
  productId: string | null;
  productName: string | null;
  productKey: string | null;
  status: SubscriptionStatus;
  statusKey: string | null;
  expiresAt: string | null;
  expiryKey: string | null;
  cancelAtPeriodEnd: boolean;
  cancelKey: string | null;
  gracePeriodDays: number | null;
  nextRenewalDate: string | null;
  nextRenewalPrice: string | null;
  licenseStatus: string | null;
  disabled: boolean;
  lcnKey: string | null;
  email: string | null;
  /** The order that started it (its first new purchase); null while only renewals or LCNs were seen. */
  startedBy: string | null;
  test: boolean;
}

/** One paid order line carrying the licence. */
export interface PaidLine {
  refNo: string;
  kind: SubscriptionOrderKind;
  productId: string;
  productName: string;
  licenseExpiresAt: string | null;
  email: string | null;
  /** The order's IPN_DATE (YmdHis). */
  ipnDate: string | null;
}

/** What a change means for the customer: the named subscription events. */
export type SubscriptionTransition = 'started' | 'renewed' | 'upgraded' | 'past_due' | 'expired' | 'canceled' | 'reactivated' | 'suspended';

const NO_DATE = '00000000000000';

/**
 * Applies an LCN, each group of fields only if the LCN is at least as new as the message that set it
 * (LCNs of the same DATE_UPDATED apply in arrival order, as 2Checkout sends them); null when it is
 * older in every respect (it changes nothing). A cancellation scheduled or reverted is a group of its
 * own: a later LCN does not carry it, so an older one arriving last still counts.
 */
export function applyLicenseChange(state: SubscriptionState, change: LicenseChange): SubscriptionState | null {
  const key = platformDate(change.dateUpdated);
  const cancellation = cancellationOf(change.dispatchReason);
  const newer = (current: string | null) => current === null || key >= current;
  const lcn = newer(state.lcnKey);
  const expiry = change.expirationDate !== null && newer(state.expiryKey);
  const status = newer(state.statusKey);
  const cancel = cancellation !== null && newer(state.cancelKey);
  if (!lcn && !expiry && !status && !cancel) return null;
  const gracePeriodDays = lcn ? (change.gracePeriodDays ?? state.gracePeriodDays) : state.gracePeriodDays;
  return {
    ...state,
    ...(lcn && {
      lcnKey: key,
      licenseStatus: change.status,
      disabled: change.disabled,
      email: change.email ?? state.email,
      gracePeriodDays,
      nextRenewalDate: change.nextRenewalDate ?? state.nextRenewalDate,
      nextRenewalPrice: change.nextRenewalPrice ?? state.nextRenewalPrice,
    }),
    ...(expiry && { expiresAt: change.expirationDate, expiryKey: key }),
    ...(status && { status: statusOf(change, gracePeriodDays), statusKey: key }),
    ...(cancel && { cancelAtPeriodEnd: cancellation ?? state.cancelAtPeriodEnd, cancelKey: key }),
  };
}

/**
 * Applies a paid order line. A new purchase starts the subscription (a second one, from another order,
 * is only linked); a renewal or an upgrade makes it active until the expiry it carries; an upgrade
 * moves it to its product.
 */
export function applyPaidLine(
  state: SubscriptionState,
  line: PaidLine,
): { next: SubscriptionState; transition: SubscriptionTransition | null } {
  if (line.kind === 'new' && state.startedBy !== null) return { next: state, transition: null };
  const key = platformDate(line.ipnDate);
  const productKey = `${line.kind === 'upgrade' ? 1 : 0}|${line.kind === 'renewal' ? NO_DATE : key}`;
  const newerProduct = state.productKey === null || productKey > state.productKey;
  const newerExpiry = line.licenseExpiresAt !== null && (state.expiryKey === null || key > state.expiryKey);
  const newerStatus = state.statusKey === null || key > state.statusKey;
  const next: SubscriptionState = {
    ...state,
    startedBy: line.kind === 'new' ? line.refNo : state.startedBy,
    email: state.email ?? line.email,
    productId: newerProduct ? line.productId : state.productId,
    productName: newerProduct ? line.productName : state.productName,
    productKey: newerProduct ? productKey : state.productKey,
    expiresAt: newerExpiry ? line.licenseExpiresAt : state.expiresAt,
    expiryKey: newerExpiry ? key : state.expiryKey,
    status: newerStatus ? 'active' : state.status,
    statusKey: newerStatus ? key : state.statusKey,
  };
  return { next, transition: line.kind === 'new' ? 'started' : line.kind === 'renewal' ? 'renewed' : 'upgraded' };
}

/** When the grace period after the expiry ends (ms), for a past-due subscription; null otherwise. */
export function graceEnd(state: Pick<SubscriptionState, 'status' | 'expiresAt' | 'gracePeriodDays'>): number | null {
  const expires = state.status === 'past_due' ? dateOf(state.expiresAt) : null;
  return expires === null ? null : expires + (state.gracePeriodDays ?? 0) * 86_400_000;
}

/**
 * The subscription once its grace period ran out at `endedAt` (ms) with no renewal: as if an expiry
 * dated then had arrived, so a message dated later (a renewal, a reactivation) still decides. Null when
 * it changes nothing (no longer past due, renewed since, or the grace period not over).
 */
export function expireAfterGrace(state: SubscriptionState, endedAt: number): SubscriptionState | null {
  const end = graceEnd(state);
  if (end === null || end > endedAt) return null;
  const key = new Date(end).toISOString().replace(/\D/g, '').slice(0, 14);
  if (state.statusKey !== null && state.statusKey > key) return null;
  return { ...state, status: 'expired', statusKey: key };
}

/** The status shown: an expiry of a subscription the customer had asked to stop at period end is a cancellation. */
export function statusShown(state: Pick<SubscriptionState, 'status' | 'cancelAtPeriodEnd'>): SubscriptionStatus {
  return state.status === 'expired' && state.cancelAtPeriodEnd ? 'canceled' : state.status;
}

/** What an LCN's change means for the customer (order-driven changes name themselves). */
export function transitionsOf(before: SubscriptionState, after: SubscriptionState): SubscriptionTransition[] {
  const transitions: SubscriptionTransition[] = [];
  const held = (status: SubscriptionStatus) => status === 'disabled' || status === 'pending_activation';
  if (after.status !== before.status) {
    if (after.status === 'past_due') transitions.push('past_due');
    if (after.status === 'expired') transitions.push('expired');
    if (after.status === 'disabled') transitions.push('suspended');
    if (held(before.status) && (after.status === 'active' || after.status === 'past_due')) transitions.push('reactivated');
  }
  if (after.cancelAtPeriodEnd && !before.cancelAtPeriodEnd) transitions.push('canceled');
  if (!after.cancelAtPeriodEnd && before.cancelAtPeriodEnd && !transitions.includes('reactivated')) transitions.push('reactivated');
  return transitions;
}

/**
 * The status an LCN gives: DISABLED suspends; pending activation holds; an expiry ends the
 * subscription once the grace period is over, and leaves it past due while the grace period runs;
 * past due; otherwise active. (A subscription is never stored as canceled: see statusShown.)
 */
function statusOf(change: LicenseChange, gracePeriodDays: number | null): SubscriptionStatus {
  const status = change.status?.toUpperCase().replace(/[\s_]+/g, ' ') ?? '';
  const reason = change.dispatchReason?.toUpperCase() ?? '';
  if (change.disabled || status === 'DISABLED') return 'disabled';
  if (reason === 'LICENCE_PENDING_ACTIVATION' || status === 'PENDING ACTIVATION') return 'pending_activation';
  if (reason === 'LICENCE_EXPIRATION' || status === 'EXPIRED') {
    return isGraceOver(change, gracePeriodDays) ? 'expired' : 'past_due';
  }
  if (reason === 'LICENCE_PASTDUE' || status === 'PAST DUE' || status === 'PASTDUE') return 'past_due';
  return 'active';
}

/** Scheduling a cancellation sets cancel-at-period-end, reverting it clears it; other reasons leave it. */
function cancellationOf(reason: string | null): boolean | null {
  if (reason === 'SCHEDULED_FOR_CANCELATION_ON_DEMAND') return true;
  if (reason === 'REVERT_CANCELATION_ON_DEMAND') return false;
  return null;
}

/** The LCN is dated at or after expiry plus the grace period (no grace period, or dates unreadable: over). */
function isGraceOver(change: LicenseChange, gracePeriodDays: number | null): boolean {
  const expires = dateOf(change.expirationDate);
  const updated = dateOf(change.dateUpdated);
  if (!gracePeriodDays || expires === null || updated === null) return true;
  return updated >= expires + gracePeriodDays * 86_400_000;
}

/** Milliseconds of a platform date ("2026-11-24 10:25:40", read as UTC), or null. */
function dateOf(text: string | null): number | null {
  const match = text && /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = match;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

/** A platform date ("2026-11-24 10:25:40" or YmdHis) as YmdHis, comparable as text; unreadable: the earliest. */
export function platformDate(text: string | null): string {
  const digits = text?.replace(/\D/g, '') ?? '';
  if (/^\d{8}$/.test(digits)) return `${digits}000000`;
  return /^\d{14}$/.test(digits) ? digits : NO_DATE;
}
