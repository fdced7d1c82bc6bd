import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { OutboxRepository } from './persistence/outbox.repository';

/** Rows deleted per statement: short transactions that never hold up delivery. */
const PURGE_BATCH = 1000;
const EVERY_MS = 60_000;

/**
 * Deletes delivered events older than EVENT_RETENTION, in small batches, in the background. Dead
 * letters and pending events are never deleted. (The inbox is the business record: see
 * InboxRetention for its own, optional window.)
 */
@Injectable()
export class OutboxRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRetention');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.events.relay) return;
    this.timer = setInterval(() => void this.purgeOnce(), EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Purges everything past the window, batch by batch; returns how many were deleted. */
  purgeOnce(now = new Date()): Promise<number> {
    this.running ??= this.purge(new Date(now.getTime() - this.config.events.retentionMs)).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async purge(before: Date): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const deleted = await this.outbox.purgeDelivered(before, PURGE_BATCH);
        total += deleted;
        if (deleted < PURGE_BATCH) break;
      }
    } catch (error) {
      this.logger.warn(`Retention stopped, will try again: ${(error as Error).message}`);
    }
    if (total > 0) this.logger.log(`Deleted ${total} delivered events older than ${before.toISOString()}`);
    return total;
  }
}
