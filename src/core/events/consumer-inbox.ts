import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { DomainEvent } from './domain-event';
import { OutboxRelay } from './outbox.relay';

/**
 * Makes a consumer idempotent: its work for one event runs in one transaction together with a
 * processed-event record, so a redelivered event (the outbox delivers at least once) changes nothing.
 * Two concurrent deliveries serialise on the record's primary key; the second finds it and skips.
 */
@Injectable()
export class ConsumerInbox {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  async once(consumer: string, event: DomainEvent, work: (manager: EntityManager) => Promise<void>): Promise<boolean> {
    const ran = await this.dataSource.transaction(async (manager) => {
      if (!(await this.claim(manager, consumer, event.eventId))) return false;
      await work(manager);
      return true;
    });
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
