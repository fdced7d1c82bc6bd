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
import { OrderEntity } from '../persistence/order.entity';
import { OrderStatusHistoryEntity } from '../persistence/order-status-history.entity';

const MILESTONE_EVENTS: Record<Milestone, EventContract<string, OrderSnapshot>> = {
  placed: OrderPlacedEvent,
  paymentAuthorized: OrderPaymentAuthorizedEvent,
  completed: OrderCompletedEvent,
  canceled: OrderCanceledEvent,
  reversed: OrderReversedEvent,
  refunded: OrderRefundedEvent,
};

/**
 * Applies each IPN to its order in the transaction that stores the IPN: history, state machine,
 * outbox events. Concurrent IPNs for one order serialise on the order row; a replayed IPN finds its
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

  async process(notification: StoredNotification, manager: EntityManager): Promise<void> {
    const facts = readOrderFacts(notification.form);
    if (!facts) return; // Without REFNO and ORDERSTATUS there is no order to apply it to; it stays stored.
    const orders = manager.getRepository(OrderEntity);
    const created = await orders
      .createQueryBuilder()
      .insert()
      .values({ refNo: facts.refNo, test: notification.test, customer: facts.customer, items: facts.items })
      .orIgnore()
      .returning(['refNo'])
      .execute();
    const isNew = created.raw.length > 0;
    const order = await orders.findOneOrFail({ where: { refNo: facts.refNo }, lock: { mode: 'pessimistic_write' } });
    const current: OrderState | null = isNew
      ? null
      : { status: order.status, fraudStatus: order.fraudStatus, milestones: new Set(order.milestones) };
    const change = applyStatus(current, facts.status, facts.fraudStatus);

    const recorded = await manager
      .getRepository(OrderStatusHistoryEntity)
      .createQueryBuilder()
      .insert()
      .values({
        refNo: facts.refNo,
        status: facts.status,
        fraudStatus: facts.fraudStatus,
        notificationId: notification.id,
        ipnDate: facts.ipnDate,
        applied: change.applied,
      })
      .orIgnore()
      .returning(['id'])
      .execute();
    if (recorded.raw.length === 0) return; // Replay of a message already applied.

    updateOrder(order, facts, change, isNew || change.applied || facts.status === current?.status);
    await orders.save(order);
    await this.outbox.append(manager, eventsFor(order, facts, change, notification.test));
  }
}

function updateOrder(order: OrderEntity, facts: IpnOrderFacts, change: StatusChange, isLatest: boolean): void {
  order.status = change.next.status;
  order.fraudStatus = change.next.fraudStatus;
  order.milestones = [...change.next.milestones];
  if (isLatest) {
    order.customer = facts.customer;
    order.items = facts.items;
    order.currency = facts.currency;
  }
}

function eventsFor(order: OrderEntity, facts: IpnOrderFacts, change: StatusChange, test: boolean): DomainEvent[] {
  const data = snapshotOf(order, facts.status);
  const contracts = change.reached.map((milestone) => MILESTONE_EVENTS[milestone]);
  if (change.fraud === 'flagged') contracts.push(OrderFraudFlaggedEvent);
  if (change.fraud === 'cleared') contracts.push(OrderFraudClearedEvent);
  return contracts.map((contract) => createEvent(contract, { orderRef: order.refNo, test, data }));
}

function snapshotOf(order: OrderEntity, notifiedStatus: string): OrderSnapshot {
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
