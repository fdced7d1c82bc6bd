import type { SubscriptionStatus } from '../contracts/subscription.events';
import { Carried, dateOfKey } from './merge-key';
import { dateOf, msOfYmdHis, ymdHisOf } from './platform-date';

/**
 * What the status-deciding message (the newest LCN or paid order) said: an order makes the
 * subscription active; an LCN's own STATUS, DISABLED and DISPATCH_REASON decide with the merged expiry
 * and grace period; `stored`: a status kept as it was (subscriptions older than this merge).
 */
export type StatusBasis =
  | { from: 'order' }
  | { from: 'lcn'; status: string | null; reason: string | null; disabled: boolean }
  | { from: 'stored'; status: SubscriptionStatus };

const DAY_MS = 86_400_000;
/** Grace periods ending later than this never end by the clock (nor fit a timestamp column). */
const LATEST_GRACE_END = Date.UTC(9999, 11, 31, 23, 59, 59);

/**
 * The status, and when the clock is to end the grace period (ms; null unless past due and the clock
 * can still end it). DISABLED suspends; pending activation holds; an expiry ends the subscription once
 * the grace period is over, and leaves it past due while the grace period runs; past due; otherwise
 * active. A past-due subscription expires once the clock reported its grace end (`graceElapsed`,
 * YmdHis), as if an expiry dated then had arrived: a message dated later still decides. (Never
 * `canceled`: see statusShown.)
 */
export function statusOf(
  basis: Carried<StatusBasis> | undefined,
  expiresAt: string | null,
  gracePeriodDays: number | null,
  graceElapsed: string | undefined,
): { status: SubscriptionStatus; graceEndsAt: number | null } {
  const said = basis === undefined ? 'active' : saidStatus(basis, expiresAt, gracePeriodDays);
  const end = said === 'past_due' ? graceEndOf(expiresAt, gracePeriodDays) : null;
  if (end === null || ymdHisOf(end) < dateOfKey(basis!.key)) return { status: said, graceEndsAt: null };
  if (graceElapsed !== undefined && graceElapsed >= ymdHisOf(end)) return { status: 'expired', graceEndsAt: null };
  return { status: 'past_due', graceEndsAt: end };
}

function saidStatus(
  { value: basis, key }: Carried<StatusBasis>,
  expiresAt: string | null,
  gracePeriodDays: number | null,
): SubscriptionStatus {
  if (basis.from === 'order') return 'active';
  if (basis.from === 'stored') return basis.status;
  const status = basis.status?.toUpperCase().replace(/[\s_]+/g, ' ') ?? '';
  const reason = basis.reason?.toUpperCase() ?? '';
  if (basis.disabled || status === 'DISABLED') return 'disabled';
  if (reason === 'LICENCE_PENDING_ACTIVATION' || status === 'PENDING ACTIVATION') return 'pending_activation';
  if (reason === 'LICENCE_EXPIRATION' || status === 'EXPIRED') {
    return isGraceOver(msOfYmdHis(dateOfKey(key)), expiresAt, gracePeriodDays) ? 'expired' : 'past_due';
  }
  if (reason === 'LICENCE_PASTDUE' || status === 'PAST DUE' || status === 'PASTDUE') return 'past_due';
  return 'active';
}

/** The LCN is dated at or after expiry plus the grace period (no grace period, or dates unreadable: over). */
function isGraceOver(updated: number | null, expiresAt: string | null, gracePeriodDays: number | null): boolean {
  const expires = dateOf(expiresAt);
  if (!gracePeriodDays || expires === null || updated === null) return true;
  return updated >= expires + gracePeriodDays * DAY_MS;
}

/** Expiry plus grace period (ms), or null when the expiry cannot be read or the end is beyond any calendar. */
function graceEndOf(expiresAt: string | null, gracePeriodDays: number | null): number | null {
  const expires = dateOf(expiresAt);
  const end = expires === null ? null : expires + (gracePeriodDays ?? 0) * DAY_MS;
  return end === null || end > LATEST_GRACE_END ? null : end;
}
