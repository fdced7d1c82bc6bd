import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConsumerInbox, DomainEvent, OnDomainEvent, OutboxWriter, createEvent } from '../../../core/events';
import { ORDER_CLOSING_EVENTS, OrderSnapshot } from '../../orders';
import { FulfillmentRevokedEvent } from '../contracts/fulfillment.events';
import { FulfillmentLedger, detailsOf } from '../application/fulfillment-ledger';

const CONSUMER = 'fulfillment.revoke-entitlements-on-order-closed';

/** Revokes an order's granted and held lines on REFUND, REVERSED or CANCELED, and closes it for good. */
@Injectable()
export class RevokeEntitlementsOnOrderClosedListener {
  constructor(
    private readonly inbox: ConsumerInbox,
    private readonly outbox: OutboxWriter,
    private readonly ledger: FulfillmentLedger,
  ) {}

  @OnDomainEvent(...ORDER_CLOSING_EVENTS)
  async handle(event: DomainEvent<string, OrderSnapshot>): Promise<void> {
    await this.inbox.once(CONSUMER, event, (manager) => this.revoke(manager, event));
  }

  private async revoke(manager: EntityManager, event: DomainEvent<string, OrderSnapshot>): Promise<void> {
    const order = event.data;
    await this.ledger.close(manager, order.refNo);
    const lines = (await this.ledger.entitlements(manager, [order.refNo])).get(order.refNo) ?? [];
    const revoked = lines.filter((row) => row.status !== 'revoked');
    for (const row of revoked) {
      row.status = 'revoked';
      row.revokedAt = new Date();
      await manager.save(row);
    }
    if (revoked.length === 0) return;
    await this.outbox.append(manager, [
      createEvent(FulfillmentRevokedEvent, {
        orderRef: order.refNo,
        test: event.test,
        causedBy: event,
        data: {
          refNo: order.refNo,
          customerEmail: order.customer.email,
          reason: event.name,
          entitlements: revoked.map(detailsOf),
        },
      }),
    ]);
  }
}
