import {
  Consumer,
  ConsumerContext,
  DomainEvent,
  EventConsumer,
  EventContract,
  UnprocessableEventError,
  createEvent,
} from '../../../core/events';
import { IpnReceivedEvent, StoredNotifications } from '../../ipn';
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
import { IpnOrderFacts, OrderFactsProblem, readOrderFacts } from '../domain/ipn-order-facts';
import { Milestone, OrderState, fraudTransition, isPaymentReversed, mergeStep, reachedMilestones, stepKey } from '../domain/order-status';
import { HistoryEntry, OrderRepository, OrderRow } from '../persistence/order.repository';
import { snapshotOf } from '../application/order-snapshot';

const MILESTONE_EVENTS: Record<Milestone, EventContract<string, OrderSnapshot>> = {
  placed: OrderPlacedEvent,
  paymentAuthorized: OrderPaymentAuthorizedEvent,
  completed: OrderCompletedEvent,
  canceled: OrderCanceledEvent,
  reversed: OrderReversedEvent,
  refunded: OrderRefundedEvent,
};

interface Step {
  event: IpnReceivedEvent;
  facts: IpnOrderFacts;
  key: string;
  receivedAt: Date;
}

/**
 * The order stage: applies stored IPNs to their orders (history, state, order.* events), a delivery
 * batch in four statements. The order rows are locked, so one order's notifications never race;
 * the state merges notifications commutatively (domain/order-status), so it does not depend on their
 * arrival order. A replayed IPN finds its history entry and changes nothing.
 */
@Consumer('orders.apply-ipn', IpnReceivedEvent)
export class ApplyIpnToOrders implements EventConsumer<IpnReceivedEvent> {
  constructor(
    private readonly notifications: StoredNotifications,
    private readonly orders: OrderRepository,
  ) {}

  async handle(events: readonly IpnReceivedEvent[], { manager, raise }: ConsumerContext): Promise<void> {
    const stored = await this.notifications.read(
      manager,
      events.map((event) => event.data.notificationId),
    );
    const steps = events.flatMap((event): Step[] => {
      const notification = stored.get(event.data.notificationId);
      const facts = notification && readOrderFacts(notification.form);
      if (facts instanceof OrderFactsProblem) {
        throw new UnprocessableEventError(`notification ${event.data.notificationId}: ${facts.reason}`);
      }
      // Without REFNO and ORDERSTATUS there is no order to apply it to; it stays stored.
      if (!notification || !facts) return [];
      return [{ event, facts, key: stepKey(facts.ipnDate, notification.receivedAt, notification.id), receivedAt: notification.receivedAt }];
    });
    if (steps.length === 0) return;
    const byOrder = new Map<string, Step[]>();
    for (const step of steps) byOrder.set(step.facts.refNo, [...(byOrder.get(step.facts.refNo) ?? []), step]);
    const orders = await this.orders.lockOrCreate(
      manager,
      [...byOrder.values()].map(([first]) => ({
        refNo: first.facts.refNo,
        test: first.event.test,
        customer: first.facts.customer,
        items: first.facts.items,
      })),
    );
    const applied = await this.appliedBefore(manager, steps);
    // A notification queued twice (a replay while the first run waits) is applied once.
    const taken = new Set<string>();
    const history: HistoryEntry[] = [];
    const changed: OrderRow[] = [];
    for (const [refNo, orderSteps] of byOrder) {
      const order = orders.get(refNo)!;
      const fresh = orderSteps.filter(
        ({ event: { data } }) => !applied.has(data.notificationId) && !taken.has(data.notificationId) && taken.add(data.notificationId),
      );
      if (fresh.length === 0) continue;
      const before = stateOf(order);
      let state = before;
      for (const step of fresh) {
        const { status, fraudStatus, refund, chargeback } = step.facts;
        const outcome = mergeStep(state, { key: step.key, status, fraudStatus, refund, chargeback, at: step.receivedAt.toISOString() });
        state = outcome.next;
        if (outcome.newest) Object.assign(order, { customer: step.facts.customer, items: step.facts.items, currency: step.facts.currency });
        history.push(historyOf(step, outcome.applied));
      }
      Object.assign(order, { ...state!, milestones: [...state!.milestones], isNew: false });
      changed.push(order);
      raise(...eventsFor(order, before, state!, fresh.at(-1)!));
    }
    await this.orders.appendHistory(manager, history);
    await this.orders.update(manager, changed);
  }

  /** Only a replayed notification can have been applied before: one look-up for those. */
  private async appliedBefore(manager: ConsumerContext['manager'], steps: readonly Step[]): Promise<Set<string>> {
    const replays = steps.filter((step) => step.event.data.replay);
    if (replays.length === 0) return new Set();
    return this.orders.alreadyApplied(
      manager,
      replays.map((step) => step.facts.refNo),
      replays.map((step) => step.event.data.notificationId),
    );
  }
}

function stateOf(order: OrderRow): OrderState | null {
  if (order.isNew || order.factsKey === null) return null;
  return { ...order, factsKey: order.factsKey, milestones: new Set(order.milestones) };
}

function historyOf(step: Step, applied: boolean): HistoryEntry {
  const { facts, event } = step;
  return {
    refNo: facts.refNo,
    status: facts.status,
    fraudStatus: facts.fraudStatus,
    notificationId: event.data.notificationId,
    ipnDate: facts.ipnDate,
    applied,
  };
}

/**
 * Each milestone reached for the first time, then each change of the order's standing (reversal,
 * refunds, dispute, fraud verdict), about the order as it now stands: whatever changes what the order
 * allows raises an event, so that level-triggered consumers look again.
 */
function eventsFor(order: OrderRow, before: OrderState | null, after: OrderState, cause: Step): DomainEvent[] {
  const data = snapshotOf(order, cause.facts.status);
  const reached = reachedMilestones(before?.milestones ?? new Set(), after.milestones);
  const contracts = reached.filter((milestone) => milestone !== 'reversed').map((milestone) => MILESTONE_EVENTS[milestone]);
  const [wasReversed, isReversed] = [before !== null && isPaymentReversed(before), isPaymentReversed(after)];
  // A first REVERSED is announced even when a newer authorization already superseded it; a reversal
  // that comes into force again (reversed, retried, reversed) is announced again.
  if (reached.includes('reversed') || (isReversed && !wasReversed)) contracts.push(OrderReversedEvent);
  if (wasReversed && !isReversed && after.status !== 'CANCELED' && after.status !== 'REFUND') contracts.push(OrderReinstatedEvent);
  if (after.refunds.length > (before?.refunds.length ?? 0) && !after.milestones.has('refunded'))
    contracts.push(OrderPartiallyRefundedEvent);
  contracts.push(...disputeEvents(before?.chargeback ?? null, after.chargeback));
  const fraud = fraudTransition(before?.fraudStatus ?? null, after.fraudStatus);
  if (fraud === 'flagged') contracts.push(OrderFraudFlaggedEvent);
  if (fraud === 'cleared') contracts.push(OrderFraudClearedEvent);
  return contracts.map((contract) => createEvent(contract, { orderRef: order.refNo, test: cause.event.test, data, causedBy: cause.event }));
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
