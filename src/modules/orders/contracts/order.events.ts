import { DomainEventBase } from '../../../core/events';
import type { OrderSnapshot } from './order-snapshot';

/** The first notification of an order arrived (whatever its status). */
export class OrderPlacedEvent extends DomainEventBase<'order.placed', OrderSnapshot> {
  static readonly NAME = 'order.placed';
  static readonly VERSION = 1;
}

/** The payment was authorized (PAYMENT_AUTHORIZED, PAYMENT_RECEIVED, or implied by COMPLETE). */
export class OrderPaymentAuthorizedEvent extends DomainEventBase<'order.payment_authorized', OrderSnapshot> {
  static readonly NAME = 'order.payment_authorized';
  static readonly VERSION = 1;
}

/** COMPLETE: paid and delivered (the default FULFILLMENT_TRIGGER). */
export class OrderCompletedEvent extends DomainEventBase<'order.completed', OrderSnapshot> {
  static readonly NAME = 'order.completed';
  static readonly VERSION = 1;
}

/** CANCELED (an unpaid offline order, an expired or rejected purchase order): final. */
export class OrderCanceledEvent extends DomainEventBase<'order.canceled', OrderSnapshot> {
  static readonly NAME = 'order.canceled';
  static readonly VERSION = 1;
}

/** A REVERSED was received (once per order): the payment was reversed; the shopper may retry. */
export class OrderReversedEvent extends DomainEventBase<'order.reversed', OrderSnapshot> {
  static readonly NAME = 'order.reversed';
  static readonly VERSION = 1;
}

/**
 * The order stands again: a newer authorization or completion superseded a reversal, or an order shown
 * fully refunded turned out not to be (its purchase arrived after its refunds, or a recompute found a
 * refund counted twice).
 */
export class OrderReinstatedEvent extends DomainEventBase<'order.reinstated', OrderSnapshot> {
  static readonly NAME = 'order.reinstated';
  static readonly VERSION = 1;
}

/** Everything is refunded (one full refund, or partial ones that cover every line or the purchase's total): the order is REFUND. */
export class OrderRefundedEvent extends DomainEventBase<'order.refunded', OrderSnapshot> {
  static readonly NAME = 'order.refunded';
  static readonly VERSION = 1;
}

/** A refund of some lines or of an amount, the order not yet fully refunded: `data.refunds` lists them all. */
export class OrderPartiallyRefundedEvent extends DomainEventBase<'order.partially_refunded', OrderSnapshot> {
  static readonly NAME = 'order.partially_refunded';
  static readonly VERSION = 1;
}

/** A chargeback opened a dispute (`data.chargeback`): access is held until it is resolved. Someone must act. */
export class OrderChargebackOpenedEvent extends DomainEventBase<'order.chargeback_opened', OrderSnapshot> {
  static readonly NAME = 'order.chargeback_opened';
  static readonly VERSION = 1;
}

/** The dispute was resolved: won (access restored) or lost (access revoked), as `data.chargeback.state` says. */
export class OrderChargebackResolvedEvent extends DomainEventBase<'order.chargeback_resolved', OrderSnapshot> {
  static readonly NAME = 'order.chargeback_resolved';
  static readonly VERSION = 1;
}

/** FRAUD_STATUS became something other than APPROVED (DENIED, UNDER REVIEW, PENDING, SUSPECT…). */
export class OrderFraudFlaggedEvent extends DomainEventBase<'order.fraud_flagged', OrderSnapshot> {
  static readonly NAME = 'order.fraud_flagged';
  static readonly VERSION = 1;
}

/** FRAUD_STATUS became APPROVED after a flag: held fulfilment may go ahead. */
export class OrderFraudClearedEvent extends DomainEventBase<'order.fraud_cleared', OrderSnapshot> {
  static readonly NAME = 'order.fraud_cleared';
  static readonly VERSION = 1;
}

/**
 * Asks the order stage to rebuild the order from its stored notifications (queued by a migration when
 * the rules an order is derived by change): it raises what the rebuild changes, e.g. order.reinstated.
 */
export class OrderRecomputeRequestedEvent extends DomainEventBase<'order.recompute_requested', OrderRecompute> {
  static readonly NAME = 'order.recompute_requested';
  static readonly VERSION = 1;
}

export interface OrderRecompute {
  refNo: string;
  /** Why, for the record. */
  reason: string;
}
