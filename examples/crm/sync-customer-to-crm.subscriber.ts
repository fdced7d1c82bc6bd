import { Inject } from '@nestjs/common';
import { EventSubscriber, Subscriber, SubscriberContext } from '../../src/core/delivery';
import type { EventOf } from '../../src/core/events';
import { FulfillmentGrantedEvent } from '../../src/modules/fulfillment';
import { OrderCompletedEvent } from '../../src/modules/orders';
import { CRM_OPTIONS, CrmOptions } from './crm.options';

/** The two events this subscriber takes, each with its own payload type. */
type CrmEvent = EventOf<typeof OrderCompletedEvent> | EventOf<typeof FulfillmentGrantedEvent>;

/** What the CRM is told about a customer. */
export interface CrmContactUpdate {
  email: string;
  firstName: string | null;
  lastName: string | null;
  /** Orders completed and products granted, as they happen. */
  activity:
    { type: 'order_completed'; refNo: string; total: string | null } | { type: 'access_granted'; refNo: string; products: string[] };
  test: boolean;
}

/**
 * Example (a): an integrator's subscriber. `@Subscriber(name, ...contracts)` + `EventSubscriber`, typed by
 * the contracts (switching on `event.name` narrows `event.data`; no cast). The delivery stage hands it
 * the events after their commit, an order's in the order they were raised, in a delivery of its own: if
 * the CRM is down or slow, the call fails here, is retried with backoff and at worst dead-lettered for
 * this subscriber alone; orders, access and customer mail never wait for it. At least once: the event id
 * is the idempotency key, so a repeated call changes nothing at the CRM.
 */
@Subscriber('crm.sync-customer', OrderCompletedEvent, FulfillmentGrantedEvent)
export class SyncCustomerToCrm implements EventSubscriber<CrmEvent> {
  constructor(@Inject(CRM_OPTIONS) private readonly options: CrmOptions) {}

  async handle(events: readonly CrmEvent[], { signal }: SubscriberContext): Promise<void> {
    for (const event of events) {
      const update = updateFor(event);
      if (!update) continue;
      const response = await fetch(`${this.options.baseUrl}/contacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.apiKey}`, 'idempotency-key': event.eventId },
        body: JSON.stringify(update),
        signal,
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`the CRM answered HTTP ${response.status}`);
    }
  }
}

function updateFor(event: CrmEvent): CrmContactUpdate | undefined {
  switch (event.name) {
    case OrderCompletedEvent.NAME: {
      const { customer, refNo, items } = event.data; // OrderSnapshot
      if (!customer.email) return undefined;
      const total = items.reduce((sum, item) => sum + Number(item.price ?? 0) * item.quantity, 0).toFixed(2);
      return {
        email: customer.email,
        firstName: customer.firstName,
        lastName: customer.lastName,
        activity: { type: 'order_completed', refNo, total },
        test: event.test,
      };
    }
    case FulfillmentGrantedEvent.NAME: {
      const { customerEmail, refNo, entitlements } = event.data; // FulfillmentChange
      if (!customerEmail) return undefined;
      const products = entitlements.map((entitlement) => entitlement.productName);
      return {
        email: customerEmail,
        firstName: null,
        lastName: null,
        activity: { type: 'access_granted', refNo, products },
        test: event.test,
      };
    }
  }
}
