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

export class OrderCompletedEvent extends DomainEventBase<'order.completed', OrderSnapshot> {
  static readonly NAME = 'order.completed';
  static readonly VERSION = 1;
}

export class OrderCanceledEvent extends DomainEventBase<'order.canceled', OrderSnapshot> {
  static readonly NAME = 'order.canceled';
  static readonly VERSION = 1;
}

export class OrderReversedEvent extends DomainEventBase<'order.reversed', OrderSnapshot> {
  static readonly NAME = 'order.reversed';
  static readonly VERSION = 1;
}

export class OrderRefundedEvent extends DomainEventBase<'order.refunded', OrderSnapshot> {
  static readonly NAME = 'order.refunded';
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

export const ORDER_CLOSING_EVENTS = [OrderCanceledEvent.NAME, OrderReversedEvent.NAME, OrderRefundedEvent.NAME];
