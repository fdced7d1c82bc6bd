/**
 * The order as a function of the SET of its notifications, never of their arrival order. Each
 * notification is a step keyed by (IPN_DATE, arrival, id); merging steps is commutative, so any
 * interleaving, duplicates included, gives the state that applying them in IPN_DATE order gives:
 * - status: the highest-ranked known status; among equal ranks the earliest step (the order only
 *   moves forward through the lifecycle, so a late or repeated message changes nothing);
 * - fraud status: that of the newest step carrying FRAUD_STATUS (or a legacy SUSPECT/INVALID);
 * - customer, lines, currency: those of the newest step;
 * - milestones: every milestone some step implies (a REFUND implies the payment and completion before
 *   it, so even seen first it leaves the account and revoked entitlements that lifecycle order leaves).
 * Unknown statuses are recorded and inert.
 */
export type Milestone = 'placed' | 'paymentAuthorized' | 'completed' | 'canceled' | 'reversed' | 'refunded';

export const MILESTONES: readonly Milestone[] = ['placed', 'paymentAuthorized', 'completed', 'canceled', 'reversed', 'refunded'];

interface StatusRule {
  rank: number;
  milestones: Milestone[];
  /** Legacy Avangate values that are fraud verdicts, not lifecycle steps. */
  fraudFlag?: boolean;
}

const PLACED: StatusRule = { rank: 10, milestones: ['placed'] };
const AUTHORIZED: StatusRule = { rank: 30, milestones: ['placed', 'paymentAuthorized'] };

const RULES: Readonly<Record<string, StatusRule>> = {
  PENDING: PLACED,
  PURCHASE_PENDING: PLACED,
  PENDING_APPROVAL: { rank: 20, milestones: ['placed'] },
  PAYMENT_AUTHORIZED: AUTHORIZED,
  PAYMENT_RECEIVED: AUTHORIZED,
  PENDING_ORDER_APPROVAL: { rank: 40, milestones: ['placed', 'paymentAuthorized'] },
  COMPLETE: { rank: 50, milestones: ['placed', 'paymentAuthorized', 'completed'] },
  CANCELED: { rank: 60, milestones: ['placed', 'canceled'] },
  REVERSED: { rank: 60, milestones: ['placed', 'reversed'] },
  // Only a completed, paid order can be refunded (PROTOCOL.md §12).
  REFUND: { rank: 70, milestones: ['placed', 'paymentAuthorized', 'completed', 'refunded'] },
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
  status: string;
  fraudStatus: string | null;
}

export interface OrderState {
  status: string | null;
  /** Key of the step that set `status`. */
  statusKey: string | null;
  fraudStatus: string | null;
  fraudKey: string | null;
  /** Key of the newest step: its customer, lines and currency are the order's. */
  factsKey: string;
  milestones: ReadonlySet<Milestone>;
}

export interface StepOutcome {
  next: OrderState;
  /** The step set the status (false: recorded in the history only). */
  applied: boolean;
  /** The step is the newest: the order takes its customer, lines and currency. */
  newest: boolean;
}

export function rankOf(status: string | null): number {
  return status !== null && status in RULES && !RULES[status].fraudFlag ? RULES[status].rank : -1;
}

/** Merges one step into the order (null: the order's first). Commutative: see the module comment. */
export function mergeStep(current: OrderState | null, step: OrderStep): StepOutcome {
  const rule: StatusRule | undefined = RULES[step.status];
  const rank = rankOf(step.status);
  const currentRank = rankOf(current?.status ?? null);
  const applied =
    rank >= 0 && (rank > currentRank || (rank === currentRank && current!.statusKey !== null && step.key < current!.statusKey));
  const fraud = rule?.fraudFlag ? step.status : step.fraudStatus;
  const newerFraud = fraud !== null && (current?.fraudKey == null || step.key > current.fraudKey);
  const newest = current === null || step.key > current.factsKey;
  const milestones = new Set<Milestone>(current?.milestones ?? []);
  for (const milestone of rule?.milestones ?? ['placed']) milestones.add(milestone);
  return {
    applied,
    newest,
    next: {
      status: applied ? step.status : (current?.status ?? null),
      statusKey: applied ? step.key : (current?.statusKey ?? null),
      fraudStatus: newerFraud ? fraud : (current?.fraudStatus ?? null),
      fraudKey: newerFraud ? step.key : (current?.fraudKey ?? null),
      factsKey: newest ? step.key : current!.factsKey,
      milestones,
    },
  };
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

/** Fulfilment may go ahead: no fraud verdict, or an approval. */
export function isFraudCleared(fraudStatus: string | null): boolean {
  return fraudStatus === null || fraudStatus === 'APPROVED';
}

/**
 * The sort key of a step: IPN_DATE (YmdHis; anything else sorts first), then arrival time, then the
 * notification id, so two steps never tie.
 */
export function stepKey(ipnDate: string | null, receivedAt: Date, notificationId: string): string {
  const date = ipnDate && /^\d{14}$/.test(ipnDate) ? ipnDate : '00000000000000';
  return `${date}|${receivedAt.toISOString()}|${notificationId}`;
}
