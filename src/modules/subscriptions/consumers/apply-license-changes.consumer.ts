import { Consumer, ConsumerContext, EventConsumer, UnprocessableEventError, createEvent } from '../../../core/events';
import { LcnReceivedEvent, StoredNotificationsService } from '../../ipn';
import { LicenseChangedEvent } from '../contracts/subscription.events';
import { LicenseChangeFacts, LicenseChangeProblem, readLicenseChange } from '../domain/license-change';
import { snapshotOf } from '../domain/subscription-snapshot';
import { SubscriptionState, applyLicenseChange, transitionsOf } from '../domain/subscription-state';
import { SubscriptionRepository } from '../persistence/subscription.repository';
import { TRANSITION_EVENTS } from './transition-events';

/**
 * Merges each LCN into the subscription of its license (created if the LCN comes first), field by
 * field (domain/subscription-state), and raises license.changed with the result, plus the named
 * events of what changed for the customer (subscription.past_due, .expired, ...). An LCN that is not
 * the newest to carry any of its fields (or one merged before: a replay) is kept in the inbox but
 * changes nothing. An LCN with a value no subscription can hold is dead-lettered at once, with the
 * reason. A batch costs two statements.
 */
@Consumer({ name: 'subscriptions.apply-license-changes', after: ['accounts.link-account-on-order-paid'] }, LcnReceivedEvent)
export class ApplyLicenseChanges implements EventConsumer<LcnReceivedEvent> {
  constructor(
    private readonly notifications: StoredNotificationsService,
    private readonly subscriptions: SubscriptionRepository,
  ) {}

  async handle(events: readonly LcnReceivedEvent[], { manager, raise }: ConsumerContext): Promise<void> {
    const stored = await this.notifications.read(
      manager,
      events.map((event) => event.data.notificationId),
    );
    const changes = events.flatMap((event): Array<{ event: LcnReceivedEvent; facts: LicenseChangeFacts }> => {
      const notification = stored.get(event.data.notificationId);
      if (!notification) return [];
      const facts = readLicenseChange(notification.form);
      if (facts instanceof LicenseChangeProblem) throw new UnprocessableEventError(`notification ${notification.id}: ${facts.reason}`);
      return [{ event, facts }];
    });
    if (changes.length === 0) return;
    const subscriptions = await this.subscriptions.lock(
      manager,
      changes.map(({ event, facts }) => ({ licenseRef: facts.change.licenseCode, test: event.test })),
    );
    const changed = new Map<string, SubscriptionState>();
    for (const { event, facts } of changes) {
      const { change } = facts;
      const before = subscriptions.get(change.licenseCode)!;
      const after = applyLicenseChange(before, facts);
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
