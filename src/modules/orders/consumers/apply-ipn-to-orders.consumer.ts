import { Consumer, ConsumerContext, EventConsumer, UnprocessableEventError } from '../../../core/events';
import { IpnReceivedEvent, StoredNotificationsService } from '../../ipn';
import { applyState, eventsFor, stateOf } from '../application/order-changes';
import { IpnOrderFacts, OrderFactsProblem, readOrderFacts, stepOf } from '../domain/ipn-order-facts';
import { mergeStep, stepKey } from '../domain/order-status';
import { HistoryEntry, OrderRepository, OrderRow } from '../persistence/order.repository';

interface Step {
  event: IpnReceivedEvent;
  facts: IpnOrderFacts;
  key: string;
  identity: string;
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
    private readonly notifications: StoredNotificationsService,
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
      const key = stepKey(facts.ipnDate, notification.receivedAt, notification.id);
      return [{ event, facts, key, identity: notification.identity, receivedAt: notification.receivedAt }];
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
        const outcome = mergeStep(state, stepOf(step.facts, { key: step.key, identity: step.identity, at: step.receivedAt.toISOString() }));
        state = outcome.next;
        if (outcome.newest) Object.assign(order, { customer: step.facts.customer, items: step.facts.items, currency: step.facts.currency });
        history.push(historyOf(step, outcome.applied));
      }
      applyState(order, state!);
      changed.push(order);
      const cause = fresh.at(-1)!;
      raise(...eventsFor(order, before, state!, { event: cause.event, status: cause.facts.status }));
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
