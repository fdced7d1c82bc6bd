import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DomainEvent } from './domain-event';
import { OutboxWriter } from './outbox.writer';

/**
 * A consumer that takes the events of a delivery batch together, in the batch's transaction: a few
 * statements per batch instead of a transaction per event. The house consumers are written this way;
 * integrators may write theirs this way too, or as plain listeners (ConsumerInbox, @OnEvent).
 */
export interface BatchConsumer {
  /** Stable name: what its processed-event records are kept under. */
  readonly consumer: string;
  /** The event names it handles. */
  readonly events: readonly string[];
  /**
   * Handles events it has not handled before, in the order claimed, and returns the events it
   * raises. Its writes, and the events it raises, commit with the batch. It throws to fail the batch:
   * the relay then delivers the events one by one, and each consumer gets one at a time, in a
   * transaction of its own.
   */
  handle(events: readonly DomainEvent[], manager: EntityManager): Promise<readonly DomainEvent[]>;
}

/** Where modules register their batch consumers (at module init); the relay runs them. */
@Injectable()
export class BatchConsumers {
  private readonly consumers: BatchConsumer[] = [];

  constructor(private readonly outbox: OutboxWriter) {}

  register(consumer: BatchConsumer): void {
    this.consumers.push(consumer);
  }

  /** Each registered consumer on its share of `events`, each event at most once ever per consumer. */
  async run(events: readonly DomainEvent[], manager: EntityManager): Promise<void> {
    await this.runConsumers(this.consumers, events, manager);
  }

  /** One event, each consumer in a transaction of its own: one that fails holds back only itself. */
  async runEach(event: DomainEvent, transaction: (work: (manager: EntityManager) => Promise<void>) => Promise<void>): Promise<void> {
    const failures: Error[] = [];
    for (const consumer of this.consumers) {
      if (!consumer.events.includes(event.name)) continue;
      await transaction((manager) => this.runConsumers([consumer], [event], manager)).catch((error: Error) => failures.push(error));
    }
    if (failures.length > 0) throw failures[0];
  }

  private async runConsumers(consumers: readonly BatchConsumer[], events: readonly DomainEvent[], manager: EntityManager): Promise<void> {
    const shares = consumers
      .map((consumer) => ({ consumer, events: events.filter((event) => consumer.events.includes(event.name)) }))
      .filter((share) => share.events.length > 0);
    if (shares.length === 0) return;
    const pairs = shares.flatMap((share) => share.events.map((event) => [share.consumer.consumer, event.eventId]));
    // One statement claims the batch for every consumer; what was claimed before is skipped.
    const claimed: Array<{ consumer: string; event_id: string }> = await manager.query(
      `INSERT INTO processed_event (consumer, event_id) SELECT * FROM unnest($1::text[], $2::uuid[])
       ON CONFLICT DO NOTHING RETURNING consumer, event_id`,
      [pairs.map(([consumer]) => consumer), pairs.map(([, eventId]) => eventId)],
    );
    const fresh = new Set(claimed.map((row) => `${row.consumer} ${row.event_id}`));
    const raised: DomainEvent[] = [];
    for (const share of shares) {
      const unhandled = share.events.filter((event) => fresh.has(`${share.consumer.consumer} ${event.eventId}`));
      if (unhandled.length > 0) raised.push(...(await share.consumer.handle(unhandled, manager)));
    }
    await this.outbox.append(manager, raised);
  }
}
