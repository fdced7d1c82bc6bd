import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { BatchedPurge } from '../retention';
import { DeliveryRepository } from './persistence/delivery.repository';

/** Delivered items older than EVENT_RETENTION are deleted in batches; pending and dead ones never. */
@Injectable()
export class DeliveryRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly purge: BatchedPurge;

  constructor(
    deliveries: DeliveryRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.purge = new BatchedPurge({
      what: 'delivered items',
      everyMs: 60_000,
      batch: 1000,
      windowMs: config.events.retentionMs,
      deleteBatch: (before, limit) => deliveries.purgeDone(before, limit),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.events.relay) this.purge.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.purge.stop();
  }
}
