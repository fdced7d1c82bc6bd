import type { OrderSnapshot } from '../contracts/order-snapshot';
import { chargebackView } from '../domain/chargeback';
import { Milestone, OrderState, factsFromRefund, ipnDateOfFactsKey, isPaymentReversed } from '../domain/order-status';
import { OrderBasis, basisOf, refundView, refundedLines } from '../domain/refunds';

/** What the snapshot is built from: the order's stored state and facts. */
export type OrderFacts = Omit<OrderState, 'milestones' | 'factsKey' | 'basis'> & {
  refNo: string;
  factsKey: string | null;
  currency: string | null;
  customer: OrderSnapshot['customer'];
  items: OrderSnapshot['items'];
  milestones: readonly Milestone[];
};

/** What the order's refunds are measured against: its lines, as its facts (newest purchase first) give them. */
export function basisOfOrder(order: Pick<OrderFacts, 'items' | 'factsKey'>): OrderBasis {
  return basisOf(order.items, factsFromRefund(order.factsKey));
}

/** The order as events and the read API show it. */
export function snapshotOf(order: OrderFacts, notifiedStatus: string): OrderSnapshot {
  const reached = new Set(order.milestones);
  const basis = basisOfOrder(order);
  return {
    refNo: order.refNo,
    status: order.status,
    notifiedStatus,
    fraudStatus: order.fraudStatus,
    currency: order.currency,
    customer: order.customer,
    items: order.items,
    milestones: {
      placed: reached.has('placed'),
      paymentAuthorized: reached.has('paymentAuthorized'),
      completed: reached.has('completed'),
      canceled: reached.has('canceled'),
      reversed: reached.has('reversed'),
      refunded: reached.has('refunded'),
    },
    paymentReversed: isPaymentReversed(order),
    refunds: order.refunds.map((refund) => refundView(refund, basis)),
    refundedLines: refundedLines(order.refunds, basis),
    chargeback: order.chargeback && chargebackView(order.chargeback),
    ipnDate: order.factsKey ? ipnDateOfFactsKey(order.factsKey) : null,
  };
}
