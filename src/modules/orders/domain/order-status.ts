import { ChargebackFacts, ChargebackRecord, mergeChargeback } from './chargeback';
import { OrderBasis, RefundFacts, RefundRecord, isFullyRefunded, refundRecord, withRefund } from './refunds';

/**
 * The order as a function of the SET of its notifications, never of their arrival order. Each
 * notification is a step keyed by (IPN_DATE, arrival, id); merging steps is commutative and idempotent,
 * so any interleaving, duplicates included, gives the state that applying them in IPN_DATE order gives:
 * - lifecycle status: the highest-ranked known status; among equal ranks the earliest step (the order
 *   only moves forward, so a late or repeated message changes nothing);
 * - reversal: REVERSED takes the payment away until a newer-dated authorization or completion (the
 *   shopper may retry, PROTOCOL.md §12): the newest payment step and the newest reversal decide;
 * - refunds: a set keyed by notification identity; the order is REFUND while they cover every line of
 *   the order or its total, as the newest purchase notification gives them (domain/refunds): derived
 *   from the whole state, so a purchase arriving after its refunds re-evaluates them;
 * - dispute: merged from the chargeback steps (domain/chargeback);
 * - fraud status: that of the newest step carrying FRAUD_STATUS (or a legacy SUSPECT/INVALID);
 * - customer, lines, currency: those of the newest step, REFUND steps last (their prices are negative);
 * - milestones: every milestone some step implies (a REFUND implies the payment and completion before
 *   it, so even seen first it leaves the account and revoked entitlements that lifecycle order leaves);
 *   `refunded` only while the order is fully refunded.
 * Unknown statuses are recorded and inert.
 */
export type Milestone = 'placed' | 'paymentAuthorized' | 'completed' | 'canceled' | 'reversed' | 'refunded';

export const MILESTONES: readonly Milestone[] = ['placed', 'paymentAuthorized', 'completed', 'canceled', 'reversed', 'refunded'];

interface StatusRule {
  /** Place in the lifecycle; -1: not a lifecycle step (reversal, refund, fraud verdict). */
  rank: number;
  milestones: Milestone[];
  /** An authorization or completion: it supersedes an older reversal. */
  payment?: boolean;
  reversal?: boolean;
  /** Legacy Avangate values that are fraud verdicts, not lifecycle steps. */
  fraudFlag?: boolean;
}

const PLACED: StatusRule = { rank: 10, milestones: ['placed'] };
const AUTHORIZED: StatusRule = { rank: 30, milestones: ['placed', 'paymentAuthorized'], payment: true };

const RULES: Readonly<Record<string, StatusRule>> = {
  PENDING: PLACED,
  PURCHASE_PENDING: PLACED,
  PENDING_APPROVAL: { rank: 20, milestones: ['placed'] },
  PAYMENT_AUTHORIZED: AUTHORIZED,
  PAYMENT_RECEIVED: AUTHORIZED,
  PENDING_ORDER_APPROVAL: { rank: 40, milestones: ['placed', 'paymentAuthorized'], payment: true },
  COMPLETE: { rank: 50, milestones: ['placed', 'paymentAuthorized', 'completed'], payment: true },
  CANCELED: { rank: 60, milestones: ['placed', 'canceled'] },
  REVERSED: { rank: -1, milestones: ['placed', 'reversed'], reversal: true },
  // Only a completed, paid order can be refunded (PROTOCOL.md §12); 'refunded' waits for everything.
  REFUND: { rank: -1, milestones: ['placed', 'paymentAuthorized', 'completed'] },
  // Legacy values (PROTOCOL.md §3): AUTHRECEIVED is treated like PAYMENT_AUTHORIZED (as 2Checkout's
  // WooCommerce plugin does); PROCESSING and TEST were sent for test orders; SUSPECT and INVALID are
  // fraud verdicts.
  AUTHRECEIVED: AUTHORIZED,
  PROCESSING: PLACED,
  TEST: PLACED,
  SUSPECT: { rank: -1, milestones: ['placed'], fraudFlag: true },
  INVALID: { rank: -1, milestones: ['placed'], fraudFlag: true },
};

/** One notification as the order sees it. `key` orders steps: IPN_DATE, then arrival, then id. */
export interface OrderStep {
  key: string;
  /** The notification's identity (hex of the SHA-256 of its signature source): keys its refund. */
  identity: string;
  status: string;
  fraudStatus: string | null;
  /** When it arrived (ISO): the time shown for its refund or dispute. */
  at: string;
  /** Set on REFUND notifications. */
  refund: RefundFacts | null;
  /** Set when CHARGEBACK_RESOLUTION is present and not NONE. */
  chargeback: ChargebackFacts | null;
  /** The order's lines and total as this notification gives them (domain/refunds basisOf). */
  basis: OrderBasis;
}

export interface OrderState {
  /** The effective ORDERSTATUS: REFUND once fully refunded, REVERSED while a reversal stands, else the lifecycle status. */
  status: string | null;
  /** The highest-ranked lifecycle status received, and the key of the step that set it. */
  lifecycleStatus: string | null;
  lifecycleKey: string | null;
  fraudStatus: string | null;
  fraudKey: string | null;
  /** Facts key (see factsKeyOf) of the step whose customer, lines and currency are the order's. */
  factsKey: string;
  /** Keys of the newest authorization or completion and of the newest reversal. */
  paidKey: string | null;
  reversedKey: string | null;
  refunds: RefundRecord[];
  /** What the refunds are measured against: the lines and total of the step of `factsKey`. */
  basis: OrderBasis;
  chargeback: ChargebackRecord | null;
  milestones: ReadonlySet<Milestone>;
}

export interface StepOutcome {
  next: OrderState;
  /** The step changed the order (false: recorded in the history only). */
  applied: boolean;
  /** The step is the newest: the order takes its customer, lines and currency. */
  newest: boolean;
}

export function rankOf(status: string | null): number {
  return status !== null && status in RULES ? RULES[status].rank : -1;
}

/** Merges one step into the order (null: the order's first). Commutative: see the module comment. */
export function mergeStep(current: OrderState | null, step: OrderStep): StepOutcome {
  const rule: StatusRule | undefined = RULES[step.status];
  const rank = rankOf(step.status);
  const ranks =
    rank >= 0 &&
    (rank > rankOf(current?.lifecycleStatus ?? null) || (rank === rankOf(current!.lifecycleStatus) && step.key < current!.lifecycleKey!));
  const fraud = rule?.fraudFlag ? step.status : step.fraudStatus;
  const newerFraud = fraud !== null && (current?.fraudKey == null || step.key > current.fraudKey);
  const factsKey = factsKeyOf(step);
  const newest = current === null || factsKey > current.factsKey;
  const refunds = step.refund
    ? withRefund(current?.refunds ?? [], refundRecord(step.identity, step.key, step.at, step.refund))
    : [...(current?.refunds ?? [])];
  const milestones = new Set<Milestone>(current?.milestones ?? []);
  for (const milestone of rule?.milestones ?? ['placed']) milestones.add(milestone);
  const partial: Omit<OrderState, 'status'> = {
    lifecycleStatus: ranks ? step.status : (current?.lifecycleStatus ?? null),
    lifecycleKey: ranks ? step.key : (current?.lifecycleKey ?? null),
    fraudStatus: newerFraud ? fraud : (current?.fraudStatus ?? null),
    fraudKey: newerFraud ? step.key : (current?.fraudKey ?? null),
    factsKey: newest ? factsKey : current!.factsKey,
    paidKey: rule?.payment ? newer(current?.paidKey ?? null, step.key) : (current?.paidKey ?? null),
    reversedKey: rule?.reversal ? newer(current?.reversedKey ?? null, step.key) : (current?.reversedKey ?? null),
    refunds,
    basis: newest ? step.basis : current!.basis,
    chargeback: step.chargeback
      ? mergeChargeback(current?.chargeback ?? null, step.key, step.at, step.chargeback)
      : (current?.chargeback ?? null),
    milestones,
  };
  const next = settled(partial);
  return { next, newest, applied: standingOf(current) !== standingOf(next) };
}

/**
 * The state with what derives from the rest derived again: `refunded` (while the refunds cover the
 * order) and the effective status. A recompute settles an order whose refunds it rebuilt this way.
 */
export function settled(state: Omit<OrderState, 'status'>): OrderState {
  const milestones = new Set(state.milestones);
  if (isFullyRefunded(state.refunds, state.basis)) milestones.add('refunded');
  else milestones.delete('refunded');
  const partial = { ...state, milestones };
  return { ...partial, status: effectiveStatus(partial) };
}

/** The payment stands reversed: the newest reversal is newer than the newest authorization or completion. */
export function isPaymentReversed(state: Pick<OrderState, 'paidKey' | 'reversedKey'>): boolean {
  return state.reversedKey !== null && (state.paidKey === null || state.reversedKey > state.paidKey);
}

function effectiveStatus(state: Omit<OrderState, 'status'>): string | null {
  if (state.milestones.has('refunded')) return 'REFUND';
  if (state.lifecycleStatus === 'CANCELED') return state.lifecycleStatus;
  if (isPaymentReversed(state)) return 'REVERSED';
  return state.lifecycleStatus;
}

/**
 * What a step can change that the history calls "applied": the status, refunds, the dispute. (Its fraud
 * verdict has a column of its own in the history.)
 */
function standingOf(state: OrderState | null): string {
  if (state === null) return JSON.stringify([null, null, 0, null, null]);
  const { chargeback } = state;
  return JSON.stringify([
    state.status,
    state.lifecycleStatus,
    state.refunds.map((refund) => refund.key),
    chargeback?.resolution ?? null,
    chargeback?.reasonCode ?? null,
  ]);
}

function newer(current: string | null, key: string): string {
  return current !== null && current > key ? current : key;
}

/**
 * Orders steps for the order's facts: any other step before a REFUND (whose prices are negative),
 * then by step key.
 */
export function factsKeyOf(step: Pick<OrderStep, 'key' | 'refund'>): string {
  return `${step.refund ? 0 : 1}|${step.key}`;
}

/** The order's facts come from a REFUND: no purchase notification has arrived yet. */
export function factsFromRefund(factsKey: string | null): boolean {
  return factsKey !== null && factsKey.startsWith('0|');
}

/** The IPN_DATE of a facts key (YmdHis), or null for a notification without a valid one. */
export function ipnDateOfFactsKey(factsKey: string): string | null {
  const date = factsKey.split('|')[1];
  return date && date !== NO_DATE ? date : null;
}

/** Milestones in `after` and not in `before`, in lifecycle order: each is one domain event. */
export function reachedMilestones(before: ReadonlySet<Milestone>, after: ReadonlySet<Milestone>): Milestone[] {
  return MILESTONES.filter((milestone) => after.has(milestone) && !before.has(milestone));
}

/** What a change of fraud status means for the order: flagged, cleared, or nothing to say. */
export function fraudTransition(before: string | null, after: string | null): 'flagged' | 'cleared' | null {
  if (after === before || after === null) return null;
  if (after === 'APPROVED') return before === null ? null : 'cleared';
  return 'flagged';
}

export type FraudVerdict = 'cleared' | 'pending' | 'denied';

/**
 * Fulfilment may go ahead (no verdict, or APPROVED), must wait (UNDER REVIEW, PENDING, a legacy
 * SUSPECT), or must not (DENIED; INVALID, which 2Checkout's own plugin treats like DENIED).
 */
export function fraudVerdict(fraudStatus: string | null): FraudVerdict {
  if (fraudStatus === null || fraudStatus === 'APPROVED') return 'cleared';
  return fraudStatus === 'DENIED' || fraudStatus === 'INVALID' ? 'denied' : 'pending';
}

const NO_DATE = '00000000000000';

/**
 * The sort key of a step: IPN_DATE (YmdHis; anything else sorts first), then arrival time, then the
 * notification id, so two steps never tie.
 */
export function stepKey(ipnDate: string | null, receivedAt: Date, notificationId: string): string {
  const date = ipnDate && /^\d{14}$/.test(ipnDate) ? ipnDate : NO_DATE;
  return `${date}|${receivedAt.toISOString()}|${notificationId}`;
}
