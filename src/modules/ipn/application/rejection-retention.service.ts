import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { BatchedPurge } from '../../../core/retention';
import { RejectionRepository } from '../persistence/rejection.repository';

const DAY_MS = 86_400_000;

/** Deletes recorded refusals older than REJECTION_RETENTION_DAYS, in batches of 500, every 10 minutes. */
@Injectable()
export class RejectionRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly purge: BatchedPurge;

  constructor(rejections: RejectionRepository, @Inject(APP_CONFIG) config: AppConfig) {
    this.purge = new BatchedPurge({
      what: 'recorded refusals',
      everyMs: 10 * 60_000,
      batch: 500,
      windowMs: config.ipn.rejectionRetentionDays * DAY_MS,
      deleteBatch: (before, limit) => rejections.deleteOlderThan(before, limit),
    });
  }

  onApplicationBootstrap(): void {
    this.purge.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.purge.stop();
  }

  trimOnce(now = new Date()): Promise<number> {
    return this.purge.runOnce(now);
  }
}
