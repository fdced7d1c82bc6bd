import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DomainEvent } from './domain-event';

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
   * Handles events it has not handled before, in the order claimed. Its writes, and the events it
   * appends to the outbox, commit with the batch. It throws to fail the batch: the relay then
   * delivers the events one by one, and this consumer gets one at a time, in a transaction of its own.
   */
  handle(events: readonly DomainEvent[], manager: EntityManager): Promise<void>;
}

/** Where modules register their batch consumers (at module init); the relay runs them. */
@Injectable()
export class BatchConsumers {
  private readonly consumers: BatchConsumer[] = [];

  register(consumer: BatchConsumer): void {
    this.consumers.push(consumer);
  }

  /** The registered consumers each run on their share of `events`, each event at most once ever. */
  async run(events: readonly DomainEvent[], manager: EntityManager): Promise<void> {
    for (const consumer of this.consumers) await this.runOne(consumer, events, manager);
  }

  /** One event, each consumer in a transaction of its own: one that fails holds back only itself. */
  async runEach(event: DomainEvent, transaction: (work: (manager: EntityManager) => Promise<void>) => Promise<void>): Promise<void> {
    const failures: Error[] = [];
    for (const consumer of this.consumers) {
      if (!consumer.events.includes(event.name)) continue;
      await transaction((manager) => this.runOne(consumer, [event], manager)).catch((error: Error) => failures.push(error));
    }
    if (failures.length > 0) throw failures[0];
  }

  private async runOne(consumer: BatchConsumer, events: readonly DomainEvent[], manager: EntityManager): Promise<void> {
    const mine = events.filter((event) => consumer.events.includes(event.name));
    if (mine.length === 0) return;
    const claimed: Array<{ event_id: string }> = await manager.query(
      `INSERT INTO processed_event (consumer, event_id) SELECT $1, unnest($2::uuid[])
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumer.consumer, mine.map((event) => event.eventId)],
    );
    const fresh = new Set(claimed.map((row) => row.event_id));
    const unhandled = mine.filter((event) => fresh.has(event.eventId));
    if (unhandled.length > 0) await consumer.handle(unhandled, manager);
  }
}
