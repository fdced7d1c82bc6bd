import { Consumer, ConsumerContext, EventConsumer, createEvent } from '../../../core/events';
import { SubscriptionGraceElapsedEvent } from '../contracts/subscription.events';
import { snapshotOf } from '../domain/subscription-snapshot';
import { SubscriptionState, expireAfterGrace, transitionsOf } from '../domain/subscription-state';
import { SubscriptionRepository } from '../persistence/subscription.repository';
import { TRANSITION_EVENTS } from './transition-events';

/**
 * Expires the subscriptions whose grace period ran out (GraceExpiry), unless a renewal or a newer LCN
 * came first, and raises subscription.expired: fulfilment then ends their access.
 */
@Consumer('subscriptions.expire-after-grace', SubscriptionGraceElapsedEvent)
export class ExpireAfterGrace implements EventConsumer<SubscriptionGraceElapsedEvent> {
  constructor(private readonly subscriptions: SubscriptionRepository) {}

  async handle(events: readonly SubscriptionGraceElapsedEvent[], { manager, raise }: ConsumerContext): Promise<void> {
    const locked = await this.subscriptions.lock(
      manager,
      events.map((event) => ({ licenseRef: event.data.licenseRef, test: event.test })),
    );
    const changed: SubscriptionState[] = [];
    for (const event of events) {
      const before = locked.get(event.data.licenseRef)!;
      const after = expireAfterGrace(before, Date.parse(event.data.graceEndedAt));
      if (!after) continue;
      locked.set(after.licenseRef, after);
      changed.push(after);
      const subscription = snapshotOf(after);
      for (const transition of transitionsOf(before, after)) {
        raise(
          createEvent(TRANSITION_EVENTS[transition], {
            orderRef: null,
            test: event.test,
            causedBy: event,
            data: { subscription, refNo: null },
          }),
        );
      }
    }
    await this.subscriptions.save(manager, changed);
  }
}
