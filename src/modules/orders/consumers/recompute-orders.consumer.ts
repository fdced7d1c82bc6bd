import { Consumer, ConsumerContext, EventConsumer } from '../../../core/events';
import { StoredNotificationsService } from '../../ipn';
import { applyState, eventsFor, stateOf } from '../application/order-changes';
import { OrderRecomputeRequestedEvent } from '../contracts/order.events';
import { OrderFactsProblem, readOrderFacts, stepOf } from '../domain/ipn-order-facts';
import { OrderState, mergeStep, settled, stepKey } from '../domain/order-status';
import type { RefundRecord } from '../domain/refunds';
import { OrderRepository, OrderRow } from '../persistence/order.repository';

/**
 * Rebuilds orders from their stored notifications when asked (order.recompute_requested, queued by a
 * migration when the rules an order is derived by change), under the order's row lock like any
 * notification, and raises what the rebuild changes (a refund counted twice made an order REFUND: it
 * is reinstated). Every part of the state is a commutative, idempotent merge of steps, so merging the
 * order's notifications into its stored state changes only what the old rules got wrong; its refunds
 * are dropped first and rebuilt, but for those of notifications no longer in the inbox
 * (INBOX_RETENTION), which are kept as they are.
 */
@Consumer('orders.recompute', OrderRecomputeRequestedEvent)
export class RecomputeOrders implements EventConsumer<OrderRecomputeRequestedEvent> {
  constructor(
    private readonly notifications: StoredNotificationsService,
    private readonly orders: OrderRepository,
  ) {}

  async handle(events: readonly OrderRecomputeRequestedEvent[], { manager, raise }: ConsumerContext): Promise<void> {
    const requests = new Map(events.map((event) => [event.data.refNo, event]));
    const orders = await this.orders.lock(manager, [...requests.keys()]);
    const ids = await this.orders.notificationsOf(manager, [...orders.keys()]);
    const stored = await this.notifications.read(manager, [...ids.values()].flat());
    const changed: OrderRow[] = [];
    for (const [refNo, order] of orders) {
      const before = stateOf(order);
      if (before === null) continue;
      const kept = (refund: RefundRecord) => !stored.has(refund.step.split('|')[2]);
      let state: OrderState = settled({ ...before, refunds: before.refunds.filter(kept) });
      for (const id of ids.get(refNo) ?? []) {
        const notification = stored.get(id);
        const facts = notification && readOrderFacts(notification.form);
        if (!notification || !facts || facts instanceof OrderFactsProblem) continue;
        const key = stepKey(facts.ipnDate, notification.receivedAt, notification.id);
        const at = notification.receivedAt.toISOString();
        const outcome = mergeStep(state, stepOf(facts, { key, identity: notification.identity, at }));
        state = outcome.next;
        if (outcome.newest) Object.assign(order, { customer: facts.customer, items: facts.items, currency: facts.currency });
      }
      applyState(order, state);
      changed.push(order);
      raise(...eventsFor(order, before, state, { event: requests.get(refNo)!, status: state.status ?? '' }));
    }
    await this.orders.update(manager, changed);
  }
}
