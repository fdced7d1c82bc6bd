import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { RejectionRepository } from '../persistence/rejection.repository';

/** Rows deleted per statement: short transactions that never hold up the refusals being recorded. */
const TRIM_BATCH = 500;
const EVERY_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

/** Deletes recorded refusals older than REJECTION_RETENTION_DAYS, in small batches, in the background. */
@Injectable()
export class RejectionRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RejectionRetention');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly rejections: RejectionRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.trimOnce(), EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Deletes everything past the window, batch by batch; returns how many rows went. */
  trimOnce(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.ipn.rejectionRetentionDays * DAY_MS);
    this.running ??= this.trim(before).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async trim(before: Date): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const deleted = await this.rejections.deleteOlderThan(before, TRIM_BATCH);
        total += deleted;
        if (deleted < TRIM_BATCH) break;
      }
    } catch (error) {
      this.logger.warn(`Trimming stopped, will try again: ${(error as Error).message}`);
    }
    if (total > 0) this.logger.log(`Deleted ${total} recorded refusals older than ${before.toISOString()}`);
    return total;
  }
}
