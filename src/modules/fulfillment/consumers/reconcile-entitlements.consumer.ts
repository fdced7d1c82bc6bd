import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { Consumer, ConsumerContext, DomainEvent, EventConsumer, createEvent } from '../../../core/events';
import {
  OrderCanceledEvent,
  OrderChargebackOpenedEvent,
  OrderChargebackResolvedEvent,
  OrderCompletedEvent,
  OrderFraudClearedEvent,
  OrderFraudFlaggedEvent,
  OrderItemDetails,
  OrderPartiallyRefundedEvent,
  OrderPaymentAuthorizedEvent,
  OrderRefundedEvent,
  OrderReinstatedEvent,
  OrderReversedEvent,
  OrderSnapshot,
  fraudVerdict,
} from '../../orders';
import { SUBSCRIPTION_STATE_EVENTS, SubscriptionSnapshot, lineKind } from '../../subscriptions';
import { EntitlementDetails, FulfillmentGrantedEvent, FulfillmentRevokedEvent } from '../contracts/fulfillment.events';
import { LineKind, bindLines } from '../domain/entitlement-binding';
import {
  EntitlementStatus,
  LineStatus,
  OrderStanding,
  decidingLine,
  entitlementStatus,
  isWithdrawal,
  licenseAccess,
  lineStatus,
} from '../domain/entitlement-policy';
import { EntitlementRepository, EntitlementRow, LicenseState, LineRow } from '../persistence/entitlement.repository';

const ORDER_EVENTS = [
  OrderPaymentAuthorizedEvent,
  OrderCompletedEvent,
  OrderCanceledEvent,
  OrderReversedEvent,
  OrderReinstatedEvent,
  OrderRefundedEvent,
  OrderPartiallyRefundedEvent,
  OrderChargebackOpenedEvent,
  OrderChargebackResolvedEvent,
  OrderFraudFlaggedEvent,
  OrderFraudClearedEvent,
] as const;

type OrderEvent = DomainEvent<string, OrderSnapshot>;
type SubscriptionEvent = DomainEvent<string, { subscription: SubscriptionSnapshot }>;

/** One line of an order in the batch, with the status its order gives it. */
interface OrderLine {
  cause: OrderEvent;
  standing: OrderStanding;
  item: OrderItemDetails;
  status: LineStatus;
  kind: LineKind;
  entitlementId?: string;
}

interface Change {
  row: EntitlementRow;
  before: EntitlementStatus | null;
  cause: DomainEvent;
  /** The line of the causing order that carries the entitlement. */
  line: OrderLine | undefined;
}

/**
 * Keeps every entitlement where its order lines and its subscription say it should be (domain/
 * entitlement-policy): granted once the trigger (FULFILLMENT_TRIGGER) is reached, held while fraud is
 * under review or a dispute is open, revoked for refunded lines, reversals, cancellations, lost
 * disputes and DENIED verdicts, expired or suspended as the subscription says. It looks at the orders
 * and subscriptions as they stand after the change, not at which event arrived. A batch costs about
 * eight statements, whatever its size.
 */
@Consumer(
  {
    name: 'fulfillment.reconcile-entitlements',
    // Subscriptions are locked before the entitlements that follow them.
    after: ['subscriptions.apply-license-changes', 'subscriptions.expire-after-grace', 'subscriptions.link-paid-orders'],
  },
  ...ORDER_EVENTS,
  ...SUBSCRIPTION_STATE_EVENTS,
)
export class ReconcileEntitlements implements EventConsumer {
  private readonly completeTriggers: boolean;

  constructor(
    private readonly entitlements: EntitlementRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.completeTriggers = config.fulfillment.trigger === 'COMPLETE';
  }

  async handle(events: readonly DomainEvent[], { manager, raise }: ConsumerContext): Promise<void> {
    // The newest snapshot of each order and of each subscription says it all.
    const orderNames = new Set<string>(ORDER_EVENTS.map((contract) => contract.NAME));
    const orders = new Map<string, OrderEvent>();
    const subscriptions = new Map<string, SubscriptionEvent>();
    for (const event of events) {
      if (orderNames.has(event.name)) orders.set((event as OrderEvent).data.refNo, event as OrderEvent);
      else subscriptions.set((event as SubscriptionEvent).data.subscription.licenseRef, event as SubscriptionEvent);
    }
    const lines = await this.orderLines(manager, [...orders.values()]);
    // A license whose state changes, or to which a renewal is bound, is locked for update; one to which
    // only purchases are bound, for share (purchases of one license need not wait for each other).
    const binding = lines.filter((line) => !line.entitlementId && line.item.licenseRef);
    const exclusive = [...subscriptions.keys(), ...binding.filter((line) => line.kind !== 'new').map((line) => line.item.licenseRef!)];
    await this.entitlements.lockLicenses(manager, exclusive, 'update');
    await this.entitlements.lockLicenses(
      manager,
      binding.map((line) => line.item.licenseRef!).filter((ref) => !exclusive.includes(ref)),
      'share',
    );
    await this.entitlements.saveLicenses(
      manager,
      [...subscriptions.values()].map(({ data }) => licenseStateOf(data.subscription)),
    );

    const created = await this.bind(manager, lines);
    const locked = await this.entitlements.lock(manager, {
      ids: lines.map((line) => line.entitlementId!),
      lines: lines
        .filter((line) => created.has(line.entitlementId!))
        .map((line) => ({ refNo: line.cause.data.refNo, lineNo: line.item.lineNo })),
      licenseRefs: [...subscriptions.keys()],
    });
    rebindToExisting(lines, locked);
    await this.entitlements.upsertLines(manager, lines.map(lineRowOf));

    // Read once the entitlements are locked: a subscription change committing meanwhile reconciles them after this.
    const licenses = await this.entitlements.licenses(manager, [
      ...new Set(locked.flatMap((row) => (row.licenseRef ? [row.licenseRef] : []))),
    ]);
    const allLines = await this.entitlements.linesOf(
      manager,
      locked.map((row) => row.id),
    );
    const changes: Change[] = [];
    const moved: EntitlementRow[] = [];
    for (const row of locked) {
      const own = allLines.filter((line) => line.entitlementId === row.id);
      if (own.length === 0) continue;
      const next = reconciled(row, own, row.licenseRef ? licenses.get(row.licenseRef) : undefined);
      const isNew = created.has(row.id);
      if (isNew || JSON.stringify(next) !== JSON.stringify(row)) moved.push(next);
      const before = isNew ? null : row.status;
      if (next.status === before) continue;
      const line = causingLine(lines, row.id, own);
      changes.push({ row: next, before, line, cause: line?.cause ?? subscriptions.get(row.licenseRef!)! });
    }
    await this.entitlements.update(manager, moved);
    raise(...changeEvents(changes));
  }

  /**
   * Points every line not yet carrying an entitlement at the one it joins (domain/entitlement-binding),
   * creating those it needs; returns the ids created.
   */
  private async bind(manager: ConsumerContext['manager'], lines: OrderLine[]): Promise<Set<string>> {
    const unbound = lines.filter((line) => !line.entitlementId);
    if (unbound.length === 0) return new Set();
    const candidates = await this.entitlements.candidates(manager, [
      ...new Set(unbound.flatMap((line) => (line.item.licenseRef ? [line.item.licenseRef] : []))),
    ]);
    const bindings = bindLines(
      unbound.map((line) => ({
        refNo: line.cause.data.refNo,
        lineNo: line.item.lineNo,
        licenseRef: line.item.licenseRef,
        kind: line.kind,
      })),
      candidates,
      randomUUID,
    );
    bindings.forEach((binding, i) => (unbound[i].entitlementId = binding.entitlementId));
    const seeds = unbound.filter((_, i) => bindings[i].created).map(seedOf);
    await this.entitlements.createMissing(manager, seeds);
    return new Set(seeds.map((seed) => seed.id));
  }

  /** Every line of these orders whose trigger was reached, with the entitlement it joined before, if any. */
  private async orderLines(manager: ConsumerContext['manager'], orders: readonly OrderEvent[]): Promise<OrderLine[]> {
    if (orders.length === 0) return [];
    const known = await this.entitlements.linesOfOrders(
      manager,
      orders.map((order) => order.data.refNo),
    );
    return orders.flatMap((cause) => {
      const standing = this.standing(cause.data);
      return cause.data.items.flatMap((item): OrderLine[] => {
        const status = lineStatus(standing, item.lineNo);
        if (status === null) return [];
        const entitlementId = known.get(`${cause.data.refNo}|${item.lineNo}`)?.entitlementId;
        return [{ cause, standing, item, status, kind: lineKind(item.licenseType), entitlementId }];
      });
    });
  }

  private standing(order: OrderSnapshot): OrderStanding {
    const { milestones } = order;
    return {
      triggerReached: this.completeTriggers ? milestones.completed : milestones.paymentAuthorized,
      canceled: milestones.canceled,
      paymentReversed: order.paymentReversed,
      fraud: fraudVerdict(order.fraudStatus),
      dispute: order.chargeback?.state ?? 'none',
      refundedLines: new Set(order.refundedLines),
    };
  }
}

/** The entitlement a line creates (bindLines chose its id). */
function seedOf(line: OrderLine): EntitlementRow {
  const { cause, item } = line;
  const email = cause.data.customer.email;
  return {
    id: line.entitlementId!,
    refNo: cause.data.refNo,
    lineNo: item.lineNo,
    productId: item.productId,
    productName: item.name,
    quantity: item.quantity,
    licenseRef: item.licenseRef,
    licenseExpiresAt: item.licenseExpiresAt,
    licenseStatus: null,
    licenseDisabled: false,
    deliveredCodes: item.deliveredCodes,
    status: line.status,
    test: cause.test,
    customerEmail: email,
  };
}

/** A line whose (REFNO, line) had created an entitlement before (so the creation was skipped) keeps that one. */
function rebindToExisting(lines: OrderLine[], locked: readonly EntitlementRow[]): void {
  const ids = new Set(locked.map((row) => row.id));
  const byLine = new Map(locked.map((row) => [`${row.refNo}|${row.lineNo}`, row.id]));
  for (const line of lines) {
    if (ids.has(line.entitlementId!)) continue;
    const existing = byLine.get(`${line.cause.data.refNo}|${line.item.lineNo}`);
    if (!existing) throw new Error(`no entitlement for line ${line.item.lineNo} of order ${line.cause.data.refNo}`);
    line.entitlementId = existing;
  }
}

function lineRowOf(line: OrderLine): LineRow {
  const { item, cause } = line;
  return {
    refNo: cause.data.refNo,
    lineNo: item.lineNo,
    entitlementId: line.entitlementId!,
    status: line.status,
    kind: line.kind,
    productId: item.productId,
    productName: item.name,
    quantity: item.quantity,
    licenseRef: item.licenseRef,
    licenseExpiresAt: item.licenseExpiresAt,
    deliveredCodes: item.deliveredCodes,
  };
}

/** The entitlement as its deciding line and its license make it. */
function reconciled(row: EntitlementRow, lines: readonly LineRow[], license: LicenseState | undefined): EntitlementRow {
  const deciding = decidingLine(lines);
  return {
    ...row,
    status: entitlementStatus(deciding.status, licenseAccess(license?.subscriptionStatus ?? null)),
    productId: deciding.productId,
    productName: deciding.productName,
    quantity: deciding.quantity,
    deliveredCodes: deciding.deliveredCodes,
    licenseExpiresAt: license?.expirationDate ?? deciding.licenseExpiresAt,
    licenseStatus: license?.status ?? null,
    licenseDisabled: license?.disabled ?? false,
  };
}

/** The batch's line that carries the entitlement: the deciding one if it is in the batch. */
function causingLine(lines: readonly OrderLine[], entitlementId: string, own: readonly LineRow[]): OrderLine | undefined {
  const carrying = lines.filter((line) => line.entitlementId === entitlementId);
  const deciding = decidingLine(own);
  return carrying.find((line) => line.cause.data.refNo === deciding.refNo && line.item.lineNo === deciding.lineNo) ?? carrying[0];
}

function licenseStateOf(subscription: SubscriptionSnapshot): LicenseState {
  return {
    licenseCode: subscription.licenseRef,
    expirationDate: subscription.expiresAt,
    status: subscription.licenseStatus,
    disabled: subscription.disabled,
    subscriptionStatus: subscription.status,
  };
}

/** fulfillment.granted for entitlements now granted; fulfillment.revoked for access taken away; one of each per cause. */
function changeEvents(changes: readonly Change[]): DomainEvent[] {
  const byCause = new Map<DomainEvent, Change[]>();
  const byLine = [...changes].sort((a, b) => detailsOf(a).lineNo - detailsOf(b).lineNo);
  for (const change of byLine) byCause.set(change.cause, [...(byCause.get(change.cause) ?? []), change]);
  return [...byCause.entries()].flatMap(([cause, caused]) => {
    const granted = caused.filter(({ row }) => row.status === 'granted');
    const withdrawn = caused.filter(({ row, before }) => isWithdrawal(before, row.status));
    const first = caused[0];
    const common = {
      refNo: first.line?.cause.data.refNo ?? first.row.refNo,
      customerEmail: first.line?.cause.data.customer.email ?? first.row.customerEmail,
    };
    const envelope = { orderRef: cause.orderRef, test: cause.test, causedBy: cause };
    const events: DomainEvent[] = [];
    if (granted.length > 0) {
      events.push(createEvent(FulfillmentGrantedEvent, { ...envelope, data: { ...common, entitlements: granted.map(detailsOf) } }));
    }
    if (withdrawn.length > 0) {
      events.push(
        createEvent(FulfillmentRevokedEvent, {
          ...envelope,
          data: { ...common, reason: reasonOf(withdrawn[0]), entitlements: withdrawn.map(detailsOf) },
        }),
      );
    }
    return events;
  });
}

/** Why access was taken away, as the name of the event that says so. */
function reasonOf({ row, line }: Change): string {
  if (row.status === 'expired') return 'subscription.expired';
  if (!line || line.status === 'granted') return 'subscription.suspended';
  const { standing, cause, item } = line;
  if (standing.canceled) return OrderCanceledEvent.NAME;
  if (standing.refundedLines.has(item.lineNo))
    return cause.data.milestones.refunded ? OrderRefundedEvent.NAME : OrderPartiallyRefundedEvent.NAME;
  if (standing.paymentReversed) return OrderReversedEvent.NAME;
  if (standing.dispute === 'open' || standing.dispute === 'lost') return OrderChargebackOpenedEvent.NAME;
  return OrderFraudFlaggedEvent.NAME;
}

function detailsOf({ row, line }: Change): EntitlementDetails {
  return {
    entitlementId: row.id,
    lineNo: line?.item.lineNo ?? row.lineNo,
    productId: row.productId,
    productName: row.productName,
    quantity: row.quantity,
    licenseRef: row.licenseRef,
    licenseExpiresAt: row.licenseExpiresAt,
    deliveredCodes: row.deliveredCodes,
  };
}
