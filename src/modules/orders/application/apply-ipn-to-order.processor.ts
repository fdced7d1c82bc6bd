import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEvent, EventContract, OutboxWriter, createEvent } from '../../../core/events';
import { NotificationProcessor, NotificationProcessors, StoredNotification } from '../../ipn';
import type { OrderSnapshot } from '../contracts/order-snapshot';
import {
  OrderCanceledEvent,
  OrderCompletedEvent,
  OrderFraudClearedEvent,
  OrderFraudFlaggedEvent,
  OrderPaymentAuthorizedEvent,
  OrderPlacedEvent,
  OrderRefundedEvent,
  OrderReversedEvent,
} from '../contracts/order.events';
import { IpnOrderFacts, readOrderFacts } from '../domain/ipn-order-facts';
import { Milestone, OrderState, StatusChange, applyStatus } from '../domain/order-status';
import { HistoryEntry, NewOrder, OrderBatchStore, OrderRow } from '../persistence/order-batch.store';

const MILESTONE_EVENTS: Record<Milestone, EventContract<string, OrderSnapshot>> = {
  placed: OrderPlacedEvent,
  paymentAuthorized: OrderPaymentAuthorizedEvent,
  completed: OrderCompletedEvent,
  canceled: OrderCanceledEvent,
  reversed: OrderReversedEvent,
  refunded: OrderRefundedEvent,
};

/**
 * Applies IPNs to their orders in the transaction that stores them: history, state machine, outbox
 * events. A batch costs four statements however many IPNs it holds (five with replays). Concurrent batches serialise on the
 * order rows; IPNs for one order within a batch are applied in arrival order; a replayed IPN finds its
 * history entry and changes nothing.
 */
@Injectable()
export class ApplyIpnToOrderProcessor implements NotificationProcessor, OnModuleInit {
  constructor(
    private readonly processors: NotificationProcessors,
    private readonly outbox: OutboxWriter,
  ) {}

  onModuleInit(): void {
    this.processors.register('ipn', this);
  }

  async process(notifications: readonly StoredNotification[], manager: EntityManager): Promise<void> {
    // Without REFNO and ORDERSTATUS there is no order to apply an IPN to; it stays stored.
    const applicable = notifications.flatMap((notification) => {
      const facts = readOrderFacts(notification.form);
      return facts ? [{ notification, facts }] : [];
    });
    if (applicable.length === 0) return;
    const firstFacts = new Map<string, NewOrder>();
    for (const { notification, facts } of applicable) {
      if (!firstFacts.has(facts.refNo)) {
        firstFacts.set(facts.refNo, { refNo: facts.refNo, test: notification.test, customer: facts.customer, items: facts.items });
      }
    }
    const orders = await OrderBatchStore.lockOrCreate(manager, [...firstFacts.values()]);
    // Only a replayed notification can have been applied before.
    const replayed = applicable.filter(({ notification }) => notification.replay);
    const replays = replayed.length
      ? await OrderBatchStore.alreadyApplied(
          manager,
          replayed.map(({ facts }) => facts.refNo),
          replayed.map(({ notification }) => notification.id),
        )
      : new Set<string>();
    const history: HistoryEntry[] = [];
    const events: DomainEvent[] = [];
    const changed = new Set<OrderRow>();
    for (const { notification, facts } of applicable) {
      if (replays.has(notification.id)) continue;
      const order = orders.get(facts.refNo)!;
      const current: OrderState | null = order.isNew
        ? null
        : { status: order.status, fraudStatus: order.fraudStatus, milestones: new Set(order.milestones) };
      const change = applyStatus(current, facts.status, facts.fraudStatus);
      history.push({
        refNo: facts.refNo,
        status: facts.status,
        fraudStatus: facts.fraudStatus,
        notificationId: notification.id,
        ipnDate: facts.ipnDate,
        applied: change.applied,
      });
      updateOrder(order, facts, change, order.isNew || change.applied || facts.status === current?.status);
      order.isNew = false;
      changed.add(order);
      events.push(...eventsFor(order, facts, change, notification.test));
    }
    await OrderBatchStore.appendHistory(manager, history);
    await OrderBatchStore.update(manager, [...changed]);
    await this.outbox.append(manager, events);
  }
}

function updateOrder(order: OrderRow, facts: IpnOrderFacts, change: StatusChange, isLatest: boolean): void {
  order.status = change.next.status;
  order.fraudStatus = change.next.fraudStatus;
  order.milestones = [...change.next.milestones];
  if (isLatest) {
    order.customer = facts.customer;
    order.items = facts.items;
    order.currency = facts.currency;
  }
}

function eventsFor(order: OrderRow, facts: IpnOrderFacts, change: StatusChange, test: boolean): DomainEvent[] {
  const data = snapshotOf(order, facts.status);
  const contracts = change.reached.map((milestone) => MILESTONE_EVENTS[milestone]);
  if (change.fraud === 'flagged') contracts.push(OrderFraudFlaggedEvent);
  if (change.fraud === 'cleared') contracts.push(OrderFraudClearedEvent);
  return contracts.map((contract) => createEvent(contract, { orderRef: order.refNo, test, data }));
}

function snapshotOf(order: OrderRow, notifiedStatus: string): OrderSnapshot {
  const reached = new Set(order.milestones);
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
  };
}
