import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { BatchConsumer, BatchConsumers, DomainEvent, createEvent } from '../../../core/events';
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

  async handle(events: readonly DomainEvent[], manager: EntityManager): Promise<DomainEvent[]> {
    const paid = (events as Array<DomainEvent<string, OrderSnapshot>>).filter(({ data }) =>
      this.completeTriggers ? data.milestones.completed : data.milestones.paymentAuthorized,
    );
    if (paid.length === 0) return [];
    const refNos = [...new Set(paid.map((event) => event.data.refNo))];
    const ledgers = await this.ledger.lock(manager, refNos);
    // A fulfilment row created just now: no line of that order is known.
    const lines = await this.ledger.entitlements(manager, refNos.filter((refNo) => !ledgers.get(refNo)!.created));
    const licenses = await this.licenses(manager, paid);
    const added: EntitlementEntity[] = [];
    const released = new Set<EntitlementEntity>();
    const granted: DomainEvent[] = [];
    // In claim order: a later event for an order sees the lines an earlier one added.
    for (const event of paid) {
      const order = event.data;
      if (ledgers.get(order.refNo)!.closed) continue;
      const known = lines.get(order.refNo) ?? [];
      const hold = !isFraudCleared(order.fraudStatus);
      // Granted or revoked lines are final; a held line stays held until the fraud check clears.
      const releasing = hold ? [] : known.filter((row) => row.status === 'held');
      for (const row of releasing) {
        row.status = 'granted';
        row.grantedAt = new Date();
        if (!added.includes(row)) released.add(row);
      }
      const seen = new Set(known.map((row) => row.lineNo));
      const adding = order.items
        .filter((item) => !seen.has(item.lineNo))
        .map((item) => {
          const license = item.licenseRef ? licenses.get(item.licenseRef) : undefined;
          return newEntitlement(manager, order, item, { test: event.test, hold, license });
        });
      lines.set(order.refNo, [...known, ...adding]);
      added.push(...adding);
      const grantedNow = hold ? [] : [...releasing, ...adding].sort((a, b) => a.lineNo - b.lineNo);
      if (grantedNow.length > 0) granted.push(grantedEvent(event, grantedNow));
    }
    if (added.length > 0) await manager.insert(EntitlementEntity, added);
    for (const row of released) await manager.save(row); // Fraud approvals: rare.
    return granted;
  }

  /** License changes already received by LCN for the lines' licenses, by license code. */
  private async licenses(manager: EntityManager, events: ReadonlyArray<DomainEvent<string, OrderSnapshot>>): Promise<Map<string, LicenseStateEntity>> {
    const codes = [...new Set(events.flatMap((event) => event.data.items.flatMap((item) => (item.licenseRef ? [item.licenseRef] : []))))];
    const found = codes.length ? await manager.findBy(LicenseStateEntity, { licenseCode: In(codes) }) : [];
    return new Map(found.map((license) => [license.licenseCode, license]));
  }
}

function grantedEvent(cause: DomainEvent<string, OrderSnapshot>, entitlements: readonly EntitlementEntity[]): DomainEvent {
  const order = cause.data;
  return createEvent(FulfillmentGrantedEvent, {
    orderRef: order.refNo,
    test: cause.test,
    causedBy: cause,
    data: { refNo: order.refNo, customerEmail: order.customer.email, entitlements: entitlements.map(detailsOf) },
  });
}

function newEntitlement(
  manager: EntityManager,
  order: OrderSnapshot,
  item: OrderItemDetails,
  { test, hold, license }: { test: boolean; hold: boolean; license: LicenseStateEntity | undefined },
): EntitlementEntity {
  return manager.create(EntitlementEntity, {
    // Chosen here: the granted event names the entitlement before the batch inserts it.
    id: randomUUID(),
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
