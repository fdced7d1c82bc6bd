import { Logger } from '@nestjs/common';

export interface PurgeJob {
  /** What is deleted, for the log: "delivered events". */
  readonly what: string;
  readonly everyMs: number;
  /** Rows per statement: short transactions that never hold up the live work on the same table. */
  readonly batch: number;
  /** Rows older than this go. */
  readonly windowMs: number;
  /** Deletes at most `limit` rows older than `before`; returns how many. */
  deleteBatch(before: Date, limit: number): Promise<number>;
}

/** Deletes rows past a retention window in the background, batch by batch, one run at a time. */
export class BatchedPurge {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly job: PurgeJob) {
    this.logger = new Logger(`Retention(${job.what})`);
  }

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.job.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Deletes everything past the window as of `now`; returns how many rows went. */
  runOnce(now = new Date()): Promise<number> {
    this.running ??= this.purge(new Date(now.getTime() - this.job.windowMs)).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async purge(before: Date): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const deleted = await this.job.deleteBatch(before, this.job.batch);
        total += deleted;
        if (deleted < this.job.batch) break;
      }
    } catch (error) {
      this.logger.warn(`Stopped, will try again: ${(error as Error).message}`);
    }
    if (total > 0) this.logger.log(`Deleted ${total} ${this.job.what} older than ${before.toISOString()}`);
    return total;
  }
}
