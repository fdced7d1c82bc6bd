import { Consumer, ConsumerContext, EventConsumer, EventOf } from '../../../core/events';
import { OutsideCalls } from '../../../core/outside-calls';
import { FulfillmentGrantedEvent } from '../contracts/fulfillment.events';
import { ProvisionEntitlement, ProvisionEntitlementCall } from './provision-entitlement.call';
import { ProvisioningStrategies } from './provisioning-strategies';

/**
 * For every granted entitlement and every strategy that applies to it, records a provisioning call in
 * the grant's delivery transaction (one statement for the batch): it exists exactly when the grant
 * commits, and is performed after that, outside any transaction. Nothing to do without strategies.
 */
@Consumer('fulfillment.record-provisioning', FulfillmentGrantedEvent)
export class RecordProvisioningOnGrant implements EventConsumer<EventOf<typeof FulfillmentGrantedEvent>> {
  constructor(
    private readonly strategies: ProvisioningStrategies,
    private readonly calls: OutsideCalls,
  ) {}

  async handle(events: ReadonlyArray<EventOf<typeof FulfillmentGrantedEvent>>, { manager }: ConsumerContext): Promise<void> {
    if (this.strategies.all().size === 0) return;
    const requests = events.flatMap((event) =>
      event.data.entitlements.flatMap((entitlement) =>
        [...this.strategies.all()]
          .filter(([, strategy]) => strategy.appliesTo(entitlement, event.data))
          .map(([name]) => ({
            // One provisioning per grant of an entitlement: a grant again after a revocation provisions again.
            key: `${name}:${entitlement.entitlementId}:${event.eventId}`,
            payload: {
              strategy: name,
              refNo: event.data.refNo,
              customerEmail: event.data.customerEmail,
              test: event.test,
              entitlement,
            } satisfies ProvisionEntitlement,
            orderRef: event.orderRef,
            correlationId: event.correlationId,
          })),
      ),
    );
    await this.calls.record(manager, ProvisionEntitlementCall, requests);
  }
}
