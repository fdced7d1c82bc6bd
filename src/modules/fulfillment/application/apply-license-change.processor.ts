import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConsumerInbox, OutboxWriter, createEvent } from '../../../core/events';
import { FormBody, NotificationProcessor, NotificationProcessors, StoredNotification } from '../../ipn';
import { LicenseChange, LicenseChangedEvent } from '../contracts/fulfillment.events';
import { EntitlementEntity } from '../persistence/entitlement.entity';
import { LicenseStateEntity } from '../persistence/license-state.entity';

const CONSUMER = 'fulfillment.apply-license-change';

/**
 * Applies each LCN to the license (expiry, status, disabled) and to the entitlements that carry it,
 * in the transaction that stores the LCN, and emits license.changed. An LCN older (DATE_UPDATED) than
 * the one already applied is kept in the inbox but changes nothing.
 */
@Injectable()
export class ApplyLicenseChangeProcessor implements NotificationProcessor, OnModuleInit {
  constructor(
    private readonly processors: NotificationProcessors,
    private readonly inbox: ConsumerInbox,
    private readonly outbox: OutboxWriter,
  ) {}

  onModuleInit(): void {
    this.processors.register('lcn', this);
  }

  /** LCNs are few (one per license change): each is applied on its own, in arrival order. */
  async process(notifications: readonly StoredNotification[], manager: EntityManager): Promise<void> {
    for (const notification of notifications) await this.applyOne(notification, manager);
  }

  private async applyOne(notification: StoredNotification, manager: EntityManager): Promise<void> {
    if (!(await this.inbox.claim(manager, CONSUMER, notification.id))) return; // A replay.
    const change = readLicenseChange(notification.form);
    await manager.createQueryBuilder().insert().into(LicenseStateEntity).values({ licenseCode: change.licenseCode }).orIgnore().execute();
    const state = await manager.findOneOrFail(LicenseStateEntity, {
      where: { licenseCode: change.licenseCode },
      lock: { mode: 'pessimistic_write' },
    });
    if (state.dateUpdated && change.dateUpdated && change.dateUpdated < state.dateUpdated) return;
    Object.assign(state, {
      expirationDate: change.expirationDate,
      status: change.status,
      disabled: change.disabled,
      dateUpdated: change.dateUpdated,
    });
    await manager.save(state);
    await manager.update(
      EntitlementEntity,
      { licenseRef: change.licenseCode },
      { licenseExpiresAt: change.expirationDate, licenseStatus: change.status, licenseDisabled: change.disabled },
    );
    await this.outbox.append(manager, [
      createEvent(LicenseChangedEvent, { orderRef: null, test: notification.test, data: change }),
    ]);
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
