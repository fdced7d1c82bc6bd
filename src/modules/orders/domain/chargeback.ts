import type { ChargebackView, DisputeState } from '../contracts/order-snapshot';

/** What one notification says of a chargeback: CHARGEBACK_RESOLUTION other than NONE, and the reason. */
export interface ChargebackFacts {
  resolution: string;
  reasonCode: string | null;
}

/**
 * The order's dispute, merged from its chargeback notifications like the rest of the order: opened by
 * the earliest, resolved as the newest says, its reason the newest one given. Each part is a min or a
 * max over step keys, so the merge is commutative and idempotent.
 */
export interface ChargebackRecord {
  openedKey: string;
  openedAt: string;
  resolution: string;
  resolutionKey: string;
  resolutionAt: string;
  reasonCode: string | null;
  reasonKey: string | null;
}

/**
 * [inferred] No page lists CHARGEBACK_RESOLUTION's values: WON is the merchant's, LOST and ACCEPTED
 * (the merchant accepted the chargeback) the shopper's; anything else (OPEN, unknown) is still open.
 */
export function disputeState(resolution: string): DisputeState {
  const value = resolution.toUpperCase();
  if (value === 'WON') return 'won';
  if (value === 'LOST' || value === 'ACCEPTED') return 'lost';
  return 'open';
}

/** A resolution that is not NONE (or empty) opens a dispute (PROTOCOL.md §12). */
export function opensDispute(resolution: string | null): resolution is string {
  return !!resolution && resolution.toUpperCase() !== 'NONE';
}

export function mergeChargeback(current: ChargebackRecord | null, key: string, at: string, facts: ChargebackFacts): ChargebackRecord {
  if (current === null) {
    return {
      openedKey: key,
      openedAt: at,
      resolution: facts.resolution,
      resolutionKey: key,
      resolutionAt: at,
      reasonCode: facts.reasonCode,
      reasonKey: facts.reasonCode ? key : null,
    };
  }
  const earlier = key < current.openedKey;
  const newer = key > current.resolutionKey;
  const newerReason = facts.reasonCode !== null && (current.reasonKey === null || key > current.reasonKey);
  return {
    openedKey: earlier ? key : current.openedKey,
    openedAt: earlier ? at : current.openedAt,
    resolution: newer ? facts.resolution : current.resolution,
    resolutionKey: newer ? key : current.resolutionKey,
    resolutionAt: newer ? at : current.resolutionAt,
    reasonCode: newerReason ? facts.reasonCode : current.reasonCode,
    reasonKey: newerReason ? key : current.reasonKey,
  };
}

export function chargebackView(record: ChargebackRecord): ChargebackView {
  const state = disputeState(record.resolution);
  return {
    reasonCode: record.reasonCode,
    resolution: record.resolution,
    openedAt: record.openedAt,
    closedAt: state === 'open' ? null : record.resolutionAt,
    state,
  };
}
