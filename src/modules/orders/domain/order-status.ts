/**
 * The order state machine over 2Checkout's ORDERSTATUS. Notifications arrive late, repeated and in any
 * order, so the order only ever moves forward: a status of lower rank than the current one is recorded
 * in the history but changes nothing. Unknown statuses are recorded and inert.
 */
export type Milestone = 'placed' | 'paymentAuthorized' | 'completed' | 'canceled' | 'reversed' | 'refunded';

export const MILESTONES: readonly Milestone[] = [
  'placed',
  'paymentAuthorized',
  'completed',
  'canceled',
  'reversed',
  'refunded',
];

interface StatusRule {
  rank: number;
  /** Milestones this status implies (COMPLETE implies the payment was authorized). */
  milestones: Milestone[];
  /** Legacy Avangate values that flag the order for fraud review. */
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
  REFUND: { rank: 70, milestones: ['placed', 'refunded'] },
  // Legacy values (PROTOCOL.md §3): AUTHRECEIVED is treated like PAYMENT_AUTHORIZED (as 2Checkout's
  // WooCommerce plugin does); PROCESSING and TEST were sent for test orders; SUSPECT and INVALID are
  // fraud verdicts.
  AUTHRECEIVED: AUTHORIZED,
  PROCESSING: PLACED,
  TEST: PLACED,
  SUSPECT: { rank: 0, milestones: ['placed'], fraudFlag: true },
  INVALID: { rank: 0, milestones: ['placed'], fraudFlag: true },
};

export interface OrderState {
  status: string | null;
  fraudStatus: string | null;
  milestones: ReadonlySet<Milestone>;
}

export interface StatusChange {
  /** Whether the message moved the order (false: recorded in history only). */
  applied: boolean;
  next: OrderState;
  /** Milestones reached for the first time, in lifecycle order: each is one domain event. */
  reached: Milestone[];
  fraud: 'flagged' | 'cleared' | null;
}

export function rankOf(status: string | null): number {
  return status !== null && status in RULES ? RULES[status].rank : -1;
}

/** What a notification with `status` (and FRAUD_STATUS, when sent) does to an order in `current`. */
export function applyStatus(current: OrderState | null, status: string, fraudStatus: string | null): StatusChange {
  const rule = RULES[status];
  const before = current ?? { status: null, fraudStatus: null, milestones: new Set<Milestone>() };
  const forward = rule !== undefined && rule.rank > rankOf(before.status) && !rule.fraudFlag;
  // A stale message must not overwrite newer facts, fraud status included.
  const currentOrNewer = current === null || forward || status === before.status || rule?.fraudFlag === true;
  const newFraud = rule?.fraudFlag ? status : fraudStatus || null;
  const nextFraud = currentOrNewer && newFraud !== null ? newFraud : before.fraudStatus;

  const milestones = new Set(before.milestones);
  const reached: Milestone[] = [];
  const implied = forward || current === null ? (rule?.milestones ?? ['placed']) : [];
  for (const milestone of MILESTONES) {
    if (implied.includes(milestone) && !milestones.has(milestone)) {
      milestones.add(milestone);
      reached.push(milestone);
    }
  }
  return {
    applied: forward,
    next: { status: forward ? status : before.status, fraudStatus: nextFraud, milestones },
    reached,
    fraud: fraudTransition(before.fraudStatus, nextFraud),
  };
}

function fraudTransition(before: string | null, after: string | null): StatusChange['fraud'] {
  if (after === before || after === null) return null;
  if (after === 'APPROVED') return before === null ? null : 'cleared';
  return 'flagged';
}

/** Fulfilment may go ahead: no fraud verdict, or an approval. */
export function isFraudCleared(fraudStatus: string | null): boolean {
  return fraudStatus === null || fraudStatus === 'APPROVED';
}
