import { Consumer, ConsumerContext, EventConsumer, UnprocessableEventError, createEvent } from '../../../core/events';
import { LcnReceivedEvent, StoredNotifications } from '../../ipn';
import { LicenseChange, LicenseChangedEvent } from '../contracts/subscription.events';
import { MAX_LICENSE_CODE, readLicenseChange } from '../domain/licence-change';
import { snapshotOf } from '../domain/subscription-snapshot';
import { SubscriptionState, applyLicenseChange, platformDate, transitionsOf } from '../domain/subscription-state';
import { SubscriptionRepository } from '../persistence/subscription.repository';
import { TRANSITION_EVENTS } from './transition-events';

/**
 * Applies each LCN to the subscription of its licence (created if the LCN comes first) and raises
 * license.changed with the result, plus the named events of what changed for the customer
 * (subscription.past_due, .expired, ...). An LCN dated before the one applied is kept in the inbox
 * but changes nothing. A batch costs two statements.
 */
@Consumer('subscriptions.apply-license-changes', LcnReceivedEvent)
export class ApplyLicenseChanges implements EventConsumer<LcnReceivedEvent> {
  constructor(
    private readonly notifications: StoredNotifications,
    private readonly subscriptions: SubscriptionRepository,
  ) {}

  async handle(events: readonly LcnReceivedEvent[], { manager, raise }: ConsumerContext): Promise<void> {
    const stored = await this.notifications.read(
      manager,
      events.map((event) => event.data.notificationId),
    );
    const changes = events.flatMap((event): Array<{ event: LcnReceivedEvent; change: LicenseChange }> => {
      const notification = stored.get(event.data.notificationId);
      if (!notification) return [];
      const change = readLicenseChange(notification.form);
      if (change.licenseCode.length > MAX_LICENSE_CODE) {
        throw new UnprocessableEventError(
          `notification ${notification.id}: LICENSE_CODE is ${change.licenseCode.length} characters long (at most ${MAX_LICENSE_CODE})`,
        );
      }
      return [{ event, change }];
    });
    if (changes.length === 0) return;
    const subscriptions = await this.subscriptions.lock(
      manager,
      changes.map(({ event, change }) => ({ licenseRef: change.licenseCode, test: event.test })),
    );
    const changed = new Map<string, SubscriptionState>();
    for (const { event, change } of changes) {
      const before = subscriptions.get(change.licenseCode)!;
      // A replay of the change already applied changes nothing either.
      const same = event.data.replay && before.lcnKey === platformDate(change.dateUpdated) && before.licenseStatus === change.status;
      const after = same ? null : applyLicenseChange(before, change);
      if (!after) continue;
      subscriptions.set(change.licenseCode, after);
      changed.set(change.licenseCode, after);
      const subscription = snapshotOf(after);
      const envelope = { orderRef: null, test: event.test, causedBy: event };
      raise(createEvent(LicenseChangedEvent, { ...envelope, data: { ...change, subscription } }));
      for (const transition of transitionsOf(before, after)) {
        raise(createEvent(TRANSITION_EVENTS[transition], { ...envelope, data: { subscription, refNo: null } }));
      }
    }
    await this.subscriptions.save(manager, [...changed.values()]);
  }
}
