import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { BatchConsumer, BatchConsumers, DomainEvent, OutboxWriter, createEvent } from '../../../core/events';
import {
  OrderCompletedEvent,
  OrderFraudClearedEvent,
  OrderItemDetails,
  OrderPaymentAuthorizedEvent,
  OrderSnapshot,
  isFraudCleared,
} from '../../orders';
import { FulfillmentGrantedEvent } from '../contracts/fulfillment.events';
import { FulfillmentLedger, detailsOf } from '../application/fulfillment-ledger';
import { EntitlementEntity } from '../persistence/entitlement.entity';
import { LicenseStateEntity } from '../persistence/license-state.entity';

/**
 * Grants one entitlement per order line once the order reaches the configured trigger (COMPLETE, or
 * PAYMENT_AUTHORIZED). While FRAUD_STATUS is present and not APPROVED the lines are held instead, and
 * granted when a later notification clears them. A line is granted at most once, and never after the
 * order was refunded, reversed or canceled. It listens to the trigger's own event, emitted once when
 * the order reaches it, and to fraud approvals, which release what was held.
 */
@Injectable()
export class GrantEntitlementsOnOrderPaid implements BatchConsumer, OnModuleInit {
  readonly consumer = 'fulfillment.grant-entitlements-on-order-paid';
  readonly events: readonly string[];
  private readonly completeTriggers: boolean;

  constructor(
    private readonly consumers: BatchConsumers,
    private readonly outbox: OutboxWriter,
    private readonly ledger: FulfillmentLedger,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.completeTriggers = config.fulfillment.trigger === 'COMPLETE';
    const triggerEvent = this.completeTriggers ? OrderCompletedEvent.NAME : OrderPaymentAuthorizedEvent.NAME;
    this.events = [triggerEvent, OrderFraudClearedEvent.NAME];
  }

  onModuleInit(): void {
    this.consumers.register(this);
  }

  async handle(events: readonly DomainEvent[], manager: EntityManager): Promise<void> {
    const granted: DomainEvent[] = [];
    for (const event of events as Array<DomainEvent<string, OrderSnapshot>>) {
      const { milestones } = event.data;
      if (!(this.completeTriggers ? milestones.completed : milestones.paymentAuthorized)) continue;
      const grant = await this.grant(manager, event);
      if (grant) granted.push(grant);
    }
    await this.outbox.append(manager, granted);
  }

  /** The fulfillment.granted event, when lines were granted. */
  private async grant(manager: EntityManager, event: DomainEvent<string, OrderSnapshot>): Promise<DomainEvent | null> {
    const order = event.data;
    const fulfillment = await this.ledger.lock(manager, order.refNo);
    if (fulfillment.closed) return null;
    const hold = !isFraudCleared(order.fraudStatus);
    // A fulfilment row created just now: no line of this order is known.
    const known = fulfillment.created ? [] : await this.ledger.entitlements(manager, order.refNo);
    const existing = new Map(known.map((row) => [row.lineNo, row]));
    // Granted or revoked lines are final; a held line stays held until the fraud check clears.
    const released = hold ? [] : known.filter((row) => row.status === 'held');
    for (const row of released) {
      row.status = 'granted';
      row.grantedAt = new Date();
      await manager.save(row);
    }
    const unseen = order.items.filter((item) => !existing.has(item.lineNo));
    const added = await this.addLines(manager, order, unseen, event.test, hold);
    const granted = hold ? [] : [...released, ...added].sort((a, b) => a.lineNo - b.lineNo);
    if (granted.length === 0) return null;
    return createEvent(FulfillmentGrantedEvent, {
      orderRef: order.refNo,
      test: event.test,
      causedBy: event,
      data: { refNo: order.refNo, customerEmail: order.customer.email, entitlements: granted.map(detailsOf) },
    });
  }

  /** Lines not seen before, granted or held, with any license change already received by LCN applied. */
  private async addLines(
    manager: EntityManager,
    order: OrderSnapshot,
    items: readonly OrderItemDetails[],
    test: boolean,
    hold: boolean,
  ): Promise<EntitlementEntity[]> {
    if (items.length === 0) return [];
    const licenseRefs = items.flatMap((item) => (item.licenseRef ? [item.licenseRef] : []));
    const licenses = licenseRefs.length ? await manager.findBy(LicenseStateEntity, { licenseCode: In(licenseRefs) }) : [];
    const licenseByCode = new Map(licenses.map((license) => [license.licenseCode, license]));
    const rows = items.map((item) =>
      newEntitlement(manager, order, item, { test, hold, license: item.licenseRef ? licenseByCode.get(item.licenseRef) : undefined }),
    );
    await manager.insert(EntitlementEntity, rows);
    return rows;
  }

}

function newEntitlement(
  manager: EntityManager,
  order: OrderSnapshot,
  item: OrderItemDetails,
  { test, hold, license }: { test: boolean; hold: boolean; license: LicenseStateEntity | undefined },
): EntitlementEntity {
  return manager.create(EntitlementEntity, {
    refNo: order.refNo,
    lineNo: item.lineNo,
    productId: item.productId,
    productName: item.name,
    quantity: item.quantity,
    licenseRef: item.licenseRef,
    licenseExpiresAt: license?.expirationDate ?? item.licenseExpiresAt,
    licenseStatus: license?.status ?? null,
    licenseDisabled: license?.disabled ?? false,
    deliveredCodes: item.deliveredCodes,
    status: hold ? 'held' : 'granted',
    test,
    customerEmail: order.customer.email,
    grantedAt: hold ? null : new Date(),
    revokedAt: null,
  });
}
