import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { BatchedPurge } from '../../../core/retention';
import { WebhookAttemptRepository } from '../persistence/webhook-attempt.repository';

/** Attempts kept per endpoint, at most (the newest). */
export const ATTEMPTS_PER_ENDPOINT = 10_000;

/**
 * Attempts are kept as long as the events (EVENT_RETENTION) and at most 10,000 per endpoint, deleted in
 * batches every minute where deliveries run.
 */
@Injectable()
export class WebhookAttemptRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly byAge: BatchedPurge;
  private readonly byCount: BatchedPurge;

  constructor(
    attempts: WebhookAttemptRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const job = { everyMs: 60_000, batch: 1000, windowMs: config.events.retentionMs };
    this.byAge = new BatchedPurge({
      ...job,
      what: 'webhook attempts',
      deleteBatch: (before, limit) => attempts.purgeBefore(before, limit),
    });
    this.byCount = new BatchedPurge({
      ...job,
      what: `webhook attempts beyond ${ATTEMPTS_PER_ENDPOINT} per endpoint`,
      deleteBatch: (_before, limit) => attempts.purgeBeyond(ATTEMPTS_PER_ENDPOINT, limit),
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.events.relay) return;
    this.byAge.start();
    this.byCount.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.byAge.stop(), this.byCount.stop()]);
  }
}
