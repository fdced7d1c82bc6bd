import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { BatchedPurge } from '../../../core/retention';
import { NotificationRepository } from '../persistence/notification.repository';

/**
 * Off unless INBOX_RETENTION is set: stored notifications are the business record. When set, those
 * older than it whose processing is settled (none pending or dead-lettered) are deleted, in batches
 * of 500, every 10 minutes; orders, accounts and entitlements stay.
 */
@Injectable()
export class InboxRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly purge: BatchedPurge | undefined;

  constructor(notifications: NotificationRepository, @Inject(APP_CONFIG) config: AppConfig) {
    const windowMs = config.inboxRetentionMs;
    this.purge =
      windowMs === undefined
        ? undefined
        : new BatchedPurge({
            what: 'stored notifications',
            everyMs: 10 * 60_000,
            batch: 500,
            windowMs,
            deleteBatch: (before, limit) => notifications.deleteSettledBefore(before, limit),
          });
  }

  onApplicationBootstrap(): void {
    this.purge?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.purge?.stop();
  }

  /** Returns how many were deleted (0 when INBOX_RETENTION is unset). */
  async purgeOnce(now = new Date()): Promise<number> {
    return (await this.purge?.runOnce(now)) ?? 0;
  }
}
