import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { BatchedPurge } from '../retention';
import { OutboxRepository } from './persistence/outbox.repository';

/**
 * Deletes delivered events older than EVENT_RETENTION, in batches of 1,000, every minute. Dead
 * letters and pending events are never deleted. (The inbox is the business record: INBOX_RETENTION.)
 */
@Injectable()
export class OutboxRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly purge: BatchedPurge;

  constructor(
    outbox: OutboxRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.purge = new BatchedPurge({
      what: 'delivered events',
      everyMs: 60_000,
      batch: 1000,
      windowMs: config.events.retentionMs,
      deleteBatch: (before, limit) => outbox.purgeDelivered(before, limit),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.events.relay) this.purge.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.purge.stop();
  }

  purgeOnce(now = new Date()): Promise<number> {
    return this.purge.runOnce(now);
  }
}
