import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DeliveryScope } from './delivery-scope';
import type { DomainEvent } from './domain-event';
import { OutboxRelay } from './outbox.relay';

export interface ConsumerOptions {
  /**
   * The work has effects outside the database (mail, HTTP calls): it runs in a transaction of its own,
   * never in a batch that could roll back after the effect and deliver the event again.
   */
  readonly external?: boolean;
}

/**
 * Makes a consumer idempotent: its work for one event runs in one transaction together with a
 * processed-event record, so a redelivered event (the outbox delivers at least once) changes nothing.
 * Two concurrent deliveries serialise on the record's primary key; the second finds it and skips.
 * The transaction is the relay's batch transaction when there is one (see DeliveryScope), else its own.
 */
@Injectable()
export class ConsumerInbox {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly scope: DeliveryScope,
  ) {}

  async once(
    consumer: string,
    event: DomainEvent,
    work: (manager: EntityManager) => Promise<void>,
    options: ConsumerOptions = {},
  ): Promise<boolean> {
    const runOnce = async (manager: EntityManager) => {
      if (!(await this.claim(manager, consumer, event.eventId))) return false;
      await work(manager);
      return true;
    };
    const batch = options.external ? undefined : this.scope.current();
    // In a batch, the relay claims again after the batch commits: no wake needed.
    if (batch) return runOnce(batch);
    const ran = await this.dataSource.transaction(runOnce);
    // The work may have written follow-up events to the outbox.
    if (ran) this.relay.wake();
    return ran;
  }

  /**
   * Records, in the caller's transaction, that `consumer` handles message `id` now; false when it
   * already did. For work that runs inside another transaction (such as a notification processor).
   */
  async claim(manager: EntityManager, consumer: string, id: string): Promise<boolean> {
    const claimed = await manager.query(
      `INSERT INTO processed_event (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumer, id],
    );
    return claimed.length > 0;
  }
}
