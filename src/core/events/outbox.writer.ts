import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DomainEvent } from './domain-event';

/**
 * Writes events to the outbox through the producer's own transaction: they exist if and only if the
 * change that caused them was committed.
 */
@Injectable()
export class OutboxWriter {
  async append(manager: EntityManager, events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const values: string[] = [];
    const parameters: unknown[] = [];
    for (const event of events) {
      const at = parameters.length;
      values.push(`($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4})`);
      parameters.push(event.eventId, event.name, event.version, event);
    }
    await manager.query(
      `INSERT INTO outbox_event (id, name, version, payload) VALUES ${values.join(', ')}`,
      parameters,
    );
  }
}
