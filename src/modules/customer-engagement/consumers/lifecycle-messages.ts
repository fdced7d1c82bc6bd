import type { DomainEvent } from '../../../core/events';
import { AccountCreatedEvent, AccountDetails } from '../../accounts';
import { FulfillmentChange, FulfillmentGrantedEvent } from '../../fulfillment';
import {
  OrderCanceledEvent,
  OrderFraudClearedEvent,
  OrderPartiallyRefundedEvent,
  OrderPaymentAuthorizedEvent,
  OrderRefundedEvent,
  OrderReinstatedEvent,
  OrderReversedEvent,
  OrderSnapshot,
  fraudVerdict,
} from '../../orders';
import {
  SubscriptionCanceledEvent,
  SubscriptionChange,
  SubscriptionExpiredEvent,
  SubscriptionPastDueEvent,
  SubscriptionReactivatedEvent,
  SubscriptionRenewedEvent,
  SubscriptionSuspendedEvent,
  lineKind,
} from '../../subscriptions';
import type { MessageFacts } from '../application/compose-message';
import type { EngagementKind } from '../contracts/engagement.events';

export interface LifecycleMessage {
  kind: EngagementKind;
  email: string | null;
  facts: MessageFacts;
  /** Recorded only if the order has no message of this kind yet (on its timeline or in the batch). */
  once?: boolean;
}

type Compose = (event: DomainEvent) => LifecycleMessage | null;

const order =
  (kind: EngagementKind, products?: (data: OrderSnapshot) => string[]): Compose =>
  (event) => {
    const data = (event as DomainEvent<string, OrderSnapshot>).data;
    const names = products ? products(data) : data.items.map((item) => item.name);
    return {
      kind,
      email: data.customer.email,
      facts: { name: data.customer.firstName, refNo: data.refNo, products: names, test: event.test },
    };
  };

const subscription =
  (kind: EngagementKind): Compose =>
  (event) => {
    const { subscription: data, refNo } = (event as DomainEvent<string, SubscriptionChange>).data;
    const products = data.productName ? [data.productName] : [];
    return { kind, email: data.email, facts: { name: null, refNo, products, test: event.test, until: data.expiresAt } };
  };

/** A renewal's receipt is the subscription's message (renewal_receipt), not a second order confirmation. */
const confirmation: Compose = (event) => {
  const { items } = (event as DomainEvent<string, OrderSnapshot>).data;
  const renewalOnly = items.length > 0 && items.every((item) => item.licenseRef && lineKind(item.licenseType) === 'renewal');
  return renewalOnly ? null : order('order_confirmation')(event);
};

/** A DENIED order (fraudVerdict) is not told its payment was received; UNDER REVIEW and PENDING ones are. */
const unlessDenied =
  (compose: Compose): Compose =>
  (event) =>
    fraudVerdict((event as DomainEvent<string, OrderSnapshot>).data.fraudStatus) === 'denied' ? null : compose(event);

/**
 * The confirmation held while the order was DENIED, now its fraud status cleared: if the payment still
 * stands (not reversed, canceled or refunded meanwhile), and once (an order confirmed before a later
 * DENIED, or while under review, is not confirmed again).
 */
const heldConfirmation: Compose = (event) => {
  const { milestones, paymentReversed } = (event as DomainEvent<string, OrderSnapshot>).data;
  if (!milestones.paymentAuthorized || paymentReversed || milestones.canceled || milestones.refunded) return null;
  const message = confirmation(event);
  return message && { ...message, once: true };
};

/** The newest refund: its amount, and the products of the lines it refunded. */
const partialRefund: Compose = (event) => {
  const data = (event as DomainEvent<string, OrderSnapshot>).data;
  const refund = data.refunds.at(-1);
  const message = order('partial_refund_notice', ({ items }) =>
    items.filter((item) => refund?.lines.includes(item.lineNo)).map((item) => item.name),
  )(event)!;
  return { ...message, facts: { ...message.facts, amount: refund && `${refund.amount}${refund.currency ? ` ${refund.currency}` : ''}` } };
};

/** A reversal already superseded by a newer authorization (they arrived out of order) tells the customer nothing. */
const reversal: Compose = (event) =>
  (event as DomainEvent<string, OrderSnapshot>).data.paymentReversed ? order('cancel_notice')(event) : null;

/** Which lifecycle event calls for which message, and to whom; null: none. */
export const MESSAGES: Record<string, Compose> = {
  [OrderPaymentAuthorizedEvent.NAME]: unlessDenied(confirmation),
  // A retry after a reversal succeeded: the payment is confirmed again.
  [OrderReinstatedEvent.NAME]: unlessDenied(order('order_confirmation')),
  [OrderFraudClearedEvent.NAME]: heldConfirmation,
  [OrderRefundedEvent.NAME]: order('refund_notice'),
  [OrderPartiallyRefundedEvent.NAME]: partialRefund,
  [OrderCanceledEvent.NAME]: order('cancel_notice'),
  [OrderReversedEvent.NAME]: reversal,
  [AccountCreatedEvent.NAME]: (event) => {
    const account = (event as DomainEvent<string, AccountDetails>).data;
    return {
      kind: 'welcome',
      email: account.email,
      facts: { name: account.firstName, refNo: event.orderRef, products: [], test: event.test },
    };
  },
  [FulfillmentGrantedEvent.NAME]: (event) => {
    const change = (event as DomainEvent<string, FulfillmentChange>).data;
    const products = change.entitlements.map((entitlement) => entitlement.productName);
    return { kind: 'access_granted', email: change.customerEmail, facts: { name: null, refNo: change.refNo, products, test: event.test } };
  },
  [SubscriptionRenewedEvent.NAME]: subscription('renewal_receipt'),
  [SubscriptionPastDueEvent.NAME]: subscription('payment_past_due'),
  [SubscriptionExpiredEvent.NAME]: subscription('subscription_ended'),
  [SubscriptionCanceledEvent.NAME]: subscription('cancellation_scheduled'),
  [SubscriptionReactivatedEvent.NAME]: subscription('subscription_reactivated'),
  [SubscriptionSuspendedEvent.NAME]: subscription('subscription_suspended'),
};
