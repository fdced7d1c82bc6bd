import { DomainEvent, EventContract, createEvent } from '../../../core/events';
import type { OrderSnapshot } from '../contracts/order-snapshot';
import {
  OrderCanceledEvent,
  OrderChargebackOpenedEvent,
  OrderChargebackResolvedEvent,
  OrderCompletedEvent,
  OrderFraudClearedEvent,
  OrderFraudFlaggedEvent,
  OrderPartiallyRefundedEvent,
  OrderPaymentAuthorizedEvent,
  OrderPlacedEvent,
  OrderRefundedEvent,
  OrderReinstatedEvent,
  OrderReversedEvent,
} from '../contracts/order.events';
import { ChargebackRecord, disputeState } from '../domain/chargeback';
import { Milestone, OrderState, fraudTransition, isPaymentReversed, reachedMilestones } from '../domain/order-status';
import type { OrderRow } from '../persistence/order.repository';
import { basisOfOrder, snapshotOf } from './order-snapshot';

const MILESTONE_EVENTS: Record<Milestone, EventContract<string, OrderSnapshot>> = {
  placed: OrderPlacedEvent,
  paymentAuthorized: OrderPaymentAuthorizedEvent,
  completed: OrderCompletedEvent,
  canceled: OrderCanceledEvent,
  reversed: OrderReversedEvent,
  refunded: OrderRefundedEvent,
};

/** The order's state as the domain merges it; null for an order no notification was applied to yet. */
export function stateOf(order: OrderRow): OrderState | null {
  if (order.isNew || order.factsKey === null) return null;
  return { ...order, factsKey: order.factsKey, milestones: new Set(order.milestones), basis: basisOfOrder(order) };
}

/** Writes `state` into the row (the columns; the basis is derived from the row's lines). */
export function applyState(order: OrderRow, state: OrderState): void {
  const { basis: _basis, ...columns } = state;
  Object.assign(order, { ...columns, milestones: [...state.milestones], isNew: false });
}

/**
 * Each milestone reached for the first time, then each change of the order's standing (reversal,
 * refunds, dispute, fraud verdict), about the order as it now stands: whatever changes what the order
 * allows raises an event, so that level-triggered consumers look again. `cause`: the event that made
 * the change, and the ORDERSTATUS it carried (the snapshot's notifiedStatus).
 */
export function eventsFor(
  order: OrderRow,
  before: OrderState | null,
  after: OrderState,
  cause: { event: DomainEvent; status: string },
): DomainEvent[] {
  const data = snapshotOf(order, cause.status);
  const reached = reachedMilestones(before?.milestones ?? new Set(), after.milestones);
  const contracts = reached.filter((milestone) => milestone !== 'reversed').map((milestone) => MILESTONE_EVENTS[milestone]);
  const [wasReversed, isReversed] = [before !== null && isPaymentReversed(before), isPaymentReversed(after)];
  const [wasRefunded, isRefunded] = [before?.milestones.has('refunded') ?? false, after.milestones.has('refunded')];
  // A first REVERSED is announced even when a newer authorization already superseded it; a reversal
  // that comes into force again (reversed, retried, reversed) is announced again.
  if (reached.includes('reversed') || (isReversed && !wasReversed)) contracts.push(OrderReversedEvent);
  const unreversed = wasReversed && !isReversed && after.status !== 'CANCELED' && after.status !== 'REFUND';
  const unrefunded = wasRefunded && !isRefunded && after.status !== 'CANCELED' && after.status !== 'REVERSED';
  if (unreversed || unrefunded) contracts.push(OrderReinstatedEvent);
  if (newRefund(before, after) && !isRefunded) contracts.push(OrderPartiallyRefundedEvent);
  contracts.push(...disputeEvents(before?.chargeback ?? null, after.chargeback));
  const fraud = fraudTransition(before?.fraudStatus ?? null, after.fraudStatus);
  if (fraud === 'flagged') contracts.push(OrderFraudFlaggedEvent);
  if (fraud === 'cleared') contracts.push(OrderFraudClearedEvent);
  return contracts.map((contract) => createEvent(contract, { orderRef: order.refNo, test: cause.event.test, data, causedBy: cause.event }));
}

/**
 * A refund of a notification not refunded before: known neither by identity nor by step (a refund
 * stored before refunds were keyed by identity is keyed by its step until the order is recomputed).
 */
function newRefund(before: OrderState | null, after: OrderState): boolean {
  const known = new Set((before?.refunds ?? []).flatMap((refund) => [refund.key, refund.step]));
  return after.refunds.some((refund) => !known.has(refund.key) && !known.has(refund.step));
}

/** Opened: a first chargeback, or one open again after a resolution. Resolved: won or lost, or turned from one to the other. */
function disputeEvents(before: ChargebackRecord | null, after: ChargebackRecord | null): Array<EventContract<string, OrderSnapshot>> {
  if (after === null) return [];
  const [was, is] = [before && disputeState(before.resolution), disputeState(after.resolution)];
  const events: Array<EventContract<string, OrderSnapshot>> = [];
  if (before === null || (is === 'open' && was !== 'open')) events.push(OrderChargebackOpenedEvent);
  if (is !== 'open' && is !== was) events.push(OrderChargebackResolvedEvent);
  return events;
}
