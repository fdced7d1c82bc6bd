import { Consumer, ConsumerContext, EventConsumer, UnprocessableEventError, createEvent } from '../../../core/events';
import { FormBody, LcnReceivedEvent, StoredNotifications } from '../../ipn';
import { LicenseChange, LicenseChangedEvent } from '../contracts/fulfillment.events';
import { EntitlementRepository } from '../persistence/entitlement.repository';

/** Longest LICENSE_CODE kept (2Checkout's are short; a key must fit PostgreSQL's index). */
const MAX_LICENSE_CODE = 255;

/**
 * Applies each LCN to its license (expiry, status, disabled) and to the entitlements that carry it,
 * and raises license.changed. An LCN older (DATE_UPDATED) than the one already applied is kept in the
 * inbox but changes nothing. LCNs are few: each is applied on its own, in the order claimed.
 */
@Consumer('fulfillment.apply-license-changes', LcnReceivedEvent)
export class ApplyLicenseChanges implements EventConsumer<LcnReceivedEvent> {
  constructor(
    private readonly notifications: StoredNotifications,
    private readonly entitlements: EntitlementRepository,
  ) {}

  async handle(events: readonly LcnReceivedEvent[], { manager, raise }: ConsumerContext): Promise<void> {
    const stored = await this.notifications.read(manager, events.map((event) => event.data.notificationId));
    for (const event of events) {
      const notification = stored.get(event.data.notificationId);
      if (!notification) continue;
      const change = readLicenseChange(notification.form);
      if (change.licenseCode.length > MAX_LICENSE_CODE) {
        throw new UnprocessableEventError(
          `notification ${notification.id}: LICENSE_CODE is ${change.licenseCode.length} characters long (at most ${MAX_LICENSE_CODE})`,
        );
      }
      const license = await this.entitlements.lockLicense(manager, change.licenseCode);
      const older = license.dateUpdated !== null && change.dateUpdated !== null && change.dateUpdated < license.dateUpdated;
      // A replay of the change already applied changes nothing either.
      const same = event.data.replay && license.dateUpdated === change.dateUpdated && license.status === change.status;
      if (older || same) continue;
      await this.entitlements.saveLicense(manager, { ...license, ...change });
      raise(createEvent(LicenseChangedEvent, { orderRef: null, test: event.test, causedBy: event, data: change }));
    }
  }
}

function readLicenseChange(form: FormBody): LicenseChange {
  const text = (name: string): string | null => form.first(name) || null;
  return {
    licenseCode: form.first('LICENSE_CODE')!,
    expirationDate: text('EXPIRATION_DATE'),
    status: text('STATUS'),
    disabled: form.first('DISABLED') === '1',
    licenseType: text('LICENSE_TYPE'),
    changedBy: text('CHANGED_BY'),
    dispatchReason: text('DISPATCH_REASON'),
    email: form.first('EMAIL')?.trim().toLowerCase() || null,
    dateUpdated: text('DATE_UPDATED'),
  };
}
