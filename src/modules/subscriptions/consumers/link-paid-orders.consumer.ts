import { Consumer, ConsumerContext, EventConsumer, createEvent } from '../../../core/events';
import { OrderItemDetails, OrderPaymentAuthorizedEvent } from '../../orders';
import { lineKind } from '../domain/line-kind';
import { snapshotOf } from '../domain/subscription-snapshot';
import { SubscriptionState, applyPaidLine, startsSubscription } from '../domain/subscription-state';
import { SubscriptionRepository } from '../persistence/subscription.repository';
import { TRANSITION_EVENTS } from './transition-events';

interface PaidItem {
  event: OrderPaymentAuthorizedEvent;
  item: OrderItemDetails & { licenseRef: string };
}

/**
 * Links each paid order to the subscriptions its lines carry (IPN_LICENSE_REF), once: the earliest new
 * purchase starts a subscription, a renewal extends it, an upgrade moves it to its product
 * (subscription.started, .renewed, .upgraded). A batch costs two statements, four when a subscription changes.
 */
@Consumer({ name: 'subscriptions.link-paid-orders', after: ['accounts.link-account-on-order-paid'] }, OrderPaymentAuthorizedEvent)
export class LinkPaidOrders implements EventConsumer<OrderPaymentAuthorizedEvent> {
  constructor(private readonly subscriptions: SubscriptionRepository) {}

  async handle(events: readonly OrderPaymentAuthorizedEvent[], { manager, raise }: ConsumerContext): Promise<void> {
    const paid = events.flatMap((event) =>
      event.data.items.flatMap((item): PaidItem[] => (item.licenseRef ? [{ event, item: { ...item, licenseRef: item.licenseRef } }] : [])),
    );
    if (paid.length === 0) return;
    const links = await this.subscriptions.link(
      manager,
      paid.map(({ event, item }) => ({ licenseRef: item.licenseRef, refNo: event.data.refNo, kind: lineKind(item.licenseType) })),
    );
    const fresh = new Set(links.map((link) => `${link.licenseRef}|${link.refNo}`));
    // A purchase of a subscription an earlier order started changes nothing: only the others lock it.
    const committed = await this.subscriptions.read(manager, [...new Set(paid.map(({ item }) => item.licenseRef))]);
    const changing = paid.filter(
      ({ event, item }) =>
        fresh.has(`${item.licenseRef}|${event.data.refNo}`) &&
        (lineKind(item.licenseType) !== 'new' || startsSubscription(committed.get(item.licenseRef), event.data)),
    );
    if (changing.length === 0) return;
    const subscriptions = await this.subscriptions.lock(
      manager,
      changing.map(({ event, item }) => ({ licenseRef: item.licenseRef, test: event.test })),
    );
    const changed = new Map<string, SubscriptionState>();
    for (const { event, item } of changing) {
      // A second line of one order for the same license.
      if (!fresh.delete(`${item.licenseRef}|${event.data.refNo}`)) continue;
      const { next, transition } = applyPaidLine(subscriptions.get(item.licenseRef)!, {
        refNo: event.data.refNo,
        kind: lineKind(item.licenseType),
        productId: item.productId,
        productName: item.name,
        licenseExpiresAt: item.licenseExpiresAt,
        email: event.data.customer.email,
        ipnDate: event.data.ipnDate,
      });
      if (transition === null) continue;
      subscriptions.set(item.licenseRef, next);
      changed.set(item.licenseRef, next);
      const data = { subscription: snapshotOf(next), refNo: event.data.refNo };
      raise(createEvent(TRANSITION_EVENTS[transition], { orderRef: event.data.refNo, test: event.test, causedBy: event, data }));
    }
    await this.subscriptions.save(manager, [...changed.values()]);
  }
}
