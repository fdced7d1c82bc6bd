import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * The transaction the relay delivers a batch of events in. Consumers (through ConsumerInbox) join it,
 * so a batch commits once instead of once per consumer and event. Should any consumer fail, the batch
 * rolls back and the relay delivers its events one by one, each consumer in its own transaction.
 */
@Injectable()
export class DeliveryScope {
  private readonly storage = new AsyncLocalStorage<EntityManager>();

  run<T>(manager: EntityManager, deliver: () => Promise<T>): Promise<T> {
    return this.storage.run(manager, deliver);
  }

  /** The batch transaction the caller runs in, if any. */
  current(): EntityManager | undefined {
    return this.storage.getStore();
  }
}
