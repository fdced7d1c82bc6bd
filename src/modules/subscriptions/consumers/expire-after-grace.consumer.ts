import { Consumer, ConsumerContext, EventConsumer, createEvent } from '../../../core/events';
import { SubscriptionGraceElapsedEvent } from '../contracts/subscription.events';
import { snapshotOf } from '../domain/subscription-snapshot';
import { SubscriptionState, expireAfterGrace, transitionsOf } from '../domain/subscription-state';
import { SubscriptionRepository } from '../persistence/subscription.repository';
import { TRANSITION_EVENTS } from './transition-events';

/**
 * Records that the clock saw these grace periods run out (GraceExpiry): a subscription still past due
 * with that grace end expires, unless a renewal or an LCN dated later decides, and subscription.expired
 * is raised: fulfilment then ends its access.
 */
@Consumer({ name: 'subscriptions.expire-after-grace', after: ['accounts.link-account-on-order-paid'] }, SubscriptionGraceElapsedEvent)
export class ExpireAfterGrace implements EventConsumer<SubscriptionGraceElapsedEvent> {
  constructor(private readonly subscriptions: SubscriptionRepository) {}

  async handle(events: readonly SubscriptionGraceElapsedEvent[], { manager, raise }: ConsumerContext): Promise<void> {
    const locked = await this.subscriptions.lock(
      manager,
      events.map((event) => ({ licenseRef: event.data.licenseRef, test: event.test })),
    );
    const changed = new Map<string, SubscriptionState>();
    for (const event of events) {
      const before = locked.get(event.data.licenseRef)!;
      const after = expireAfterGrace(before, Date.parse(event.data.graceEndedAt));
      if (!after) continue;
      locked.set(after.licenseRef, after);
      changed.set(after.licenseRef, after);
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
    await this.subscriptions.save(manager, [...changed.values()]);
  }
}
