import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { BatchedPurge } from '../retention';
import { EventLogRepository } from './persistence/event-log.repository';
import { OutboxRepository } from './persistence/outbox.repository';

/**
 * Deletes delivered events, and event log rows, older than EVENT_RETENTION, in batches of 1,000, every
 * minute. Dead letters, pending events and log rows a pending delivery item needs are never deleted.
 * (The inbox is the business record: INBOX_RETENTION.)
 */
@Injectable()
export class OutboxRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly purge: BatchedPurge;
  private readonly logPurge: BatchedPurge;

  constructor(
    outbox: OutboxRepository,
    log: EventLogRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.logPurge = new BatchedPurge({
      what: 'logged events',
      everyMs: 60_000,
      batch: 1000,
      windowMs: config.events.retentionMs,
      deleteBatch: (before, limit) => log.purge(before, limit),
    });
    this.purge = new BatchedPurge({
      what: 'delivered events',
      everyMs: 60_000,
      batch: 1000,
      windowMs: config.events.retentionMs,
      deleteBatch: (before, limit) => outbox.purgeDelivered(before, limit),
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.events.relay) return;
    this.purge.start();
    this.logPurge.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.purge.stop(), this.logPurge.stop()]);
  }

  /** One pass over the outbox; returns how many events were deleted. */
  purgeOnce(now = new Date()): Promise<number> {
    return this.purge.runOnce(now);
  }

  /** One pass over the event log; returns how many rows were deleted. */
  purgeLogOnce(now = new Date()): Promise<number> {
    return this.logPurge.runOnce(now);
  }
}
