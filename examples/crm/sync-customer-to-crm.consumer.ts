import { Consumer, ConsumerContext, EventConsumer, EventOf } from '../../src/core/events';
import { OutsideCalls, OutsideCallRequest } from '../../src/core/outside-calls';
import { FulfillmentGrantedEvent } from '../../src/modules/fulfillment';
import { OrderCompletedEvent } from '../../src/modules/orders';
import { CrmContactUpdate, UpsertCrmContact } from './upsert-crm-contact.call';

/** The two events this consumer takes, each with its own payload type. */
type CrmEvent = EventOf<typeof OrderCompletedEvent> | EventOf<typeof FulfillmentGrantedEvent>;

/**
 * An integrator's consumer through the house contract: `@Consumer(name, ...contracts)` + `EventConsumer`,
 * typed by the contracts (switching on `event.name` narrows `event.data`; no cast). It runs in the relay's
 * delivery transaction: its only effect is to record CRM calls through `manager`, so they exist exactly
 * when the delivery commits, and the outside-calls stage makes them afterwards.
 */
@Consumer('crm.sync-customer', OrderCompletedEvent, FulfillmentGrantedEvent)
export class SyncCustomerToCrm implements EventConsumer<CrmEvent> {
  constructor(private readonly calls: OutsideCalls) {}

  async handle(events: readonly CrmEvent[], { manager }: ConsumerContext): Promise<void> {
    const requests: Array<OutsideCallRequest<CrmContactUpdate>> = [];
    for (const event of events) {
      const update = this.updateFor(event);
      if (update) requests.push({ key: event.eventId, payload: update, orderRef: event.orderRef, correlationId: event.correlationId });
    }
    await this.calls.record(manager, UpsertCrmContact, requests);
  }

  private updateFor(event: CrmEvent): CrmContactUpdate | undefined {
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
}
