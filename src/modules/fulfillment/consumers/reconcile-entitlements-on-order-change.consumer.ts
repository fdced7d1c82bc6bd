import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { Consumer, ConsumerContext, DomainEvent, EventConsumer, createEvent } from '../../../core/events';
import {
  OrderCanceledEvent,
  OrderCompletedEvent,
  OrderFraudClearedEvent,
  OrderFraudFlaggedEvent,
  OrderItemDetails,
  OrderPaymentAuthorizedEvent,
  OrderRefundedEvent,
  OrderReversedEvent,
  OrderSnapshot,
  isFraudCleared,
} from '../../orders';
import { EntitlementDetails, FulfillmentGrantedEvent, FulfillmentRevokedEvent } from '../contracts/fulfillment.events';
import { OrderStanding, desiredStatus, nextStatus } from '../domain/entitlement-policy';
import type { EntitlementStatus } from '../persistence/entitlement.entity';
import { EntitlementRepository, EntitlementRow, LicenseState } from '../persistence/entitlement.repository';

type OrderEvent = DomainEvent<string, OrderSnapshot>;

/**
 * Keeps each order's entitlements (one per line) where the order says they should be: granted once
 * the trigger (FULFILLMENT_TRIGGER) is reached, held while FRAUD_STATUS is not APPROVED, revoked for
 * good when the order is refunded, reversed or canceled. It looks at the order as it stands after
 * the change, not at which event arrived, so the outcome is the same in any arrival order. A batch
 * costs three statements.
 */
@Consumer(
  'fulfillment.reconcile-entitlements',
  OrderPaymentAuthorizedEvent,
  OrderCompletedEvent,
  OrderCanceledEvent,
  OrderReversedEvent,
  OrderRefundedEvent,
  OrderFraudFlaggedEvent,
  OrderFraudClearedEvent,
)
export class ReconcileEntitlementsOnOrderChange implements EventConsumer<OrderEvent> {
  private readonly completeTriggers: boolean;

  constructor(
    private readonly entitlements: EntitlementRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.completeTriggers = config.fulfillment.trigger === 'COMPLETE';
  }

  async handle(events: readonly OrderEvent[], { manager, raise }: ConsumerContext): Promise<void> {
    // The newest snapshot of each order says it all.
    const latest = new Map(events.map((event) => [event.data.refNo, event]));
    const existing = await this.entitlements.forOrders(manager, [...latest.keys()]);
    const licenses = await this.entitlements.licenses(manager, licenseRefs([...latest.values()]));
    const added: EntitlementRow[] = [];
    const moved: Array<{ id: string; status: EntitlementStatus }> = [];
    for (const event of latest.values()) {
      const desired = desiredStatus(this.standing(event.data));
      if (desired === null) continue;
      const lines = new Map(existing.filter((row) => row.refNo === event.data.refNo).map((row) => [row.lineNo, row]));
      const changes: Array<{ row: EntitlementRow; before: EntitlementStatus | null }> = [];
      for (const item of event.data.items) {
        const current = lines.get(item.lineNo);
        const next = nextStatus(current?.status ?? null, desired);
        if (next === null) continue;
        const row = current ? { ...current, status: next } : newLine(event, item, next, licenses);
        (current ? moved : added).push(row);
        changes.push({ row, before: current?.status ?? null });
      }
      raise(...changeEvents(event, changes));
    }
    await this.entitlements.insert(manager, added);
    await this.entitlements.setStatuses(manager, moved);
  }

  private standing(order: OrderSnapshot): OrderStanding {
    const { milestones } = order;
    return {
      triggerReached: this.completeTriggers ? milestones.completed : milestones.paymentAuthorized,
      closed: milestones.canceled || milestones.reversed || milestones.refunded,
      fraudCleared: isFraudCleared(order.fraudStatus),
    };
  }
}

/** fulfillment.granted for lines now granted; fulfillment.revoked for access taken away (revoked, or held again). */
function changeEvents(cause: OrderEvent, changes: ReadonlyArray<{ row: EntitlementRow; before: EntitlementStatus | null }>): DomainEvent[] {
  const order = cause.data;
  const granted = changes.filter(({ row }) => row.status === 'granted').map(({ row }) => row);
  const withdrawn = changes
    .filter(({ row, before }) => before === 'granted' || (before === 'held' && row.status === 'revoked'))
    .map(({ row }) => row);
  const common = { refNo: order.refNo, customerEmail: order.customer.email };
  const envelope = { orderRef: order.refNo, test: cause.test, causedBy: cause };
  const events: DomainEvent[] = [];
  if (granted.length > 0) {
    events.push(createEvent(FulfillmentGrantedEvent, { ...envelope, data: { ...common, entitlements: granted.map(detailsOf) } }));
  }
  if (withdrawn.length > 0) {
    events.push(
      createEvent(FulfillmentRevokedEvent, { ...envelope, data: { ...common, reason: reasonOf(order), entitlements: withdrawn.map(detailsOf) } }),
    );
  }
  return events;
}

function reasonOf(order: OrderSnapshot): string {
  if (order.milestones.refunded) return OrderRefundedEvent.NAME;
  if (order.milestones.reversed) return OrderReversedEvent.NAME;
  if (order.milestones.canceled) return OrderCanceledEvent.NAME;
  return OrderFraudFlaggedEvent.NAME;
}

function licenseRefs(events: readonly OrderEvent[]): string[] {
  return [...new Set(events.flatMap((event) => event.data.items.flatMap((item) => (item.licenseRef ? [item.licenseRef] : []))))];
}

function newLine(cause: OrderEvent, item: OrderItemDetails, status: EntitlementStatus, licenses: Map<string, LicenseState>): EntitlementRow {
  // An LCN may have arrived before the order was fulfilled.
  const license = item.licenseRef ? licenses.get(item.licenseRef) : undefined;
  return {
    id: randomUUID(),
    refNo: cause.data.refNo,
    lineNo: item.lineNo,
    productId: item.productId,
    productName: item.name,
    quantity: item.quantity,
    licenseRef: item.licenseRef,
    licenseExpiresAt: license?.expirationDate ?? item.licenseExpiresAt,
    licenseStatus: license?.status ?? null,
    licenseDisabled: license?.disabled ?? false,
    deliveredCodes: item.deliveredCodes,
    status,
    test: cause.test,
    customerEmail: cause.data.customer.email,
  };
}

function detailsOf(row: EntitlementRow): EntitlementDetails {
  return {
    entitlementId: row.id,
    lineNo: row.lineNo,
    productId: row.productId,
    productName: row.productName,
    quantity: row.quantity,
    licenseRef: row.licenseRef,
    licenseExpiresAt: row.licenseExpiresAt,
    deliveredCodes: row.deliveredCodes,
  };
}
