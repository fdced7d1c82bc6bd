import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { ConsumerInbox, DomainEvent, OnDomainEvent, OutboxWriter, createEvent } from '../../../core/events';
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

const CONSUMER = 'fulfillment.grant-entitlements-on-order-paid';

/**
 * Grants one entitlement per order line once the order reaches the configured trigger (COMPLETE, or
 * PAYMENT_AUTHORIZED). While FRAUD_STATUS is present and not APPROVED the lines are held instead, and
 * granted when a later notification clears them. A line is granted at most once, and never after the
 * order was refunded, reversed or canceled.
 */
@Injectable()
export class GrantEntitlementsOnOrderPaidListener {
  constructor(
    private readonly inbox: ConsumerInbox,
    private readonly outbox: OutboxWriter,
    private readonly ledger: FulfillmentLedger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @OnDomainEvent(OrderPaymentAuthorizedEvent.NAME, OrderCompletedEvent.NAME, OrderFraudClearedEvent.NAME)
  async handle(event: DomainEvent<string, OrderSnapshot>): Promise<void> {
    const completeTriggers = this.config.fulfillment.trigger === 'COMPLETE';
    const triggerEvent = completeTriggers ? OrderCompletedEvent.NAME : OrderPaymentAuthorizedEvent.NAME;
    const { milestones } = event.data;
    const reached = completeTriggers ? milestones.completed : milestones.paymentAuthorized;
    // The trigger's own event is emitted exactly once, when the order reaches it; a fraud approval
    // releases what was held. Any other event would find nothing to do.
    if (!reached || (event.name !== triggerEvent && event.name !== OrderFraudClearedEvent.NAME)) return;
    await this.inbox.once(CONSUMER, event, (manager) => this.grant(manager, event));
  }

  private async grant(manager: EntityManager, event: DomainEvent<string, OrderSnapshot>): Promise<void> {
    const order = event.data;
    if ((await this.ledger.lock(manager, order.refNo)).closed) return;
    const hold = !isFraudCleared(order.fraudStatus);
    const existing = new Map((await this.ledger.entitlements(manager, order.refNo)).map((row) => [row.lineNo, row]));
    const granted: EntitlementEntity[] = [];
    for (const item of order.items) {
      const known = existing.get(item.lineNo);
      // Granted or revoked lines are final; a held line stays held until the fraud check clears.
      if (known && (known.status !== 'held' || hold)) continue;
      const row = known ?? (await this.newEntitlement(manager, order, item, event.test));
      row.status = hold ? 'held' : 'granted';
      row.grantedAt = hold ? null : new Date();
      await manager.save(row);
      if (!hold) granted.push(row);
    }
    if (granted.length === 0) return;
    await this.outbox.append(manager, [
      createEvent(FulfillmentGrantedEvent, {
        orderRef: order.refNo,
        test: event.test,
        causedBy: event,
        data: { refNo: order.refNo, customerEmail: order.customer.email, entitlements: granted.map(detailsOf) },
      }),
    ]);
  }

  /** A line not seen before, with any license change already received by LCN applied. */
  private async newEntitlement(
    manager: EntityManager,
    order: OrderSnapshot,
    item: OrderItemDetails,
    test: boolean,
  ): Promise<EntitlementEntity> {
    const license = item.licenseRef ? await manager.findOneBy(LicenseStateEntity, { licenseCode: item.licenseRef }) : null;
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
      status: 'held',
      test,
      customerEmail: order.customer.email,
      grantedAt: null,
      revokedAt: null,
    });
  }
}
