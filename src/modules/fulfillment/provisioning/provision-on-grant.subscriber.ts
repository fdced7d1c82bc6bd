import { Subscriber, SubscriberContext, EventSubscriber } from '../../../core/delivery';
import type { EventOf } from '../../../core/events';
import { FulfillmentGrantedEvent } from '../contracts/fulfillment.events';
import { ProvisioningRepository } from '../persistence/provisioning.repository';
import { ProvisioningStrategies } from './provisioning-strategies';
import type { ProvisioningResult } from './provisioning-strategy';

type Granted = EventOf<typeof FulfillmentGrantedEvent>;

/**
 * Fulfilment's provisioning: for every granted entitlement and every strategy that applies to it,
 * `provision` is called once the grant has committed (a subscriber of the delivery stage: never inside
 * the delivery transaction, with a time limit and retries), and what it returns is kept. A grant again
 * after a revocation provisions again; the same grant is provisioned under the same idempotency key
 * however often it is tried. Nothing to do without strategies.
 */
@Subscriber('fulfillment.provisioning', FulfillmentGrantedEvent)
export class ProvisionOnGrant implements EventSubscriber<Granted> {
  constructor(
    private readonly strategies: ProvisioningStrategies,
    private readonly provisionings: ProvisioningRepository,
  ) {}

  async handle(events: readonly Granted[], { signal, attempt, manager }: SubscriberContext): Promise<void> {
    if (this.strategies.all().size === 0) return;
    const results: Array<{
      key: string;
      strategy: string;
      entitlementId: string;
      refNo: string;
      grantEventId: string;
      result: ProvisioningResult;
    }> = [];
    for (const event of events) {
      for (const entitlement of event.data.entitlements) {
        for (const [name, strategy] of this.strategies.all()) {
          if (!strategy.appliesTo(entitlement, event.data)) continue;
          const key = `${name}:${entitlement.entitlementId}:${event.eventId}`;
          const request = {
            refNo: event.data.refNo,
            customerEmail: event.data.customerEmail,
            test: event.test,
            entitlement,
            idempotencyKey: key,
            attempt,
          };
          const result = await strategy.provision(request, signal);
          results.push({
            key,
            strategy: name,
            entitlementId: entitlement.entitlementId,
            refNo: event.data.refNo,
            grantEventId: event.eventId,
            result,
          });
        }
      }
    }
    // Only now a transaction: the outside calls above held no connection.
    if (results.length > 0) await this.provisionings.record(await manager(), results);
  }
}
