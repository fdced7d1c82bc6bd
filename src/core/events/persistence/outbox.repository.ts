import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { DomainEvent } from '../domain-event';
import type { OutboxStatus } from './outbox-event.entity';

export interface DueEvent {
  id: string;
  payload: DomainEvent;
  /** Failed deliveries so far. */
  attempts: number;
}

/** A raised event as the journey records it: the envelope, without its data. */
export type ChainLink = Omit<DomainEvent, 'data'>;

export interface DeadLetter {
  id: string;
  name: string;
  orderRef: string | null;
  /** The stored notification whose processing failed. */
  notificationId: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
}

/** A notification's received event as an order's journey shows it: its delivery and the chain it raised. */
export interface ReceivedEventRow {
  id: string;
  name: string;
  notificationId: string;
  /** Queued by a replay rather than by the notification's arrival. */
  replay: boolean;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  chain: ChainLink[] | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

const DUE = `SELECT id, payload, attempts FROM outbox_event WHERE status = 'pending' AND next_attempt_at <= now()`;

/** Every statement on outbox_event. Row locks, not leases, say who delivers an event. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Due events, locked until the caller's transaction ends; others skip them. */
  lockDue(manager: EntityManager, limit: number): Promise<DueEvent[]> {
    return manager.query(`${DUE} ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit]);
  }

  /** The event, locked, if it is still due and nobody else holds it. */
  async lockOne(manager: EntityManager, id: string): Promise<DueEvent | undefined> {
    const [row] = await manager.query(`${DUE} AND id = $1 FOR UPDATE SKIP LOCKED`, [id]);
    return row;
  }

  /**
   * Queues events for delivery, in their own statement (not a producer's transaction: for events a
   * clock raises). An event whose id is queued already is not queued again; returns how many were.
   */
  async enqueue(events: readonly DomainEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const queued: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO outbox_event (id, name, version, payload, correlation_id)
       SELECT e.id, e.name, e.version, e.payload, e.correlation_id
       FROM json_to_recordset($1::json) AS e(id uuid, name text, version int, payload jsonb, correlation_id uuid)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        JSON.stringify(
          events.map((event) => ({
            id: event.eventId,
            name: event.name,
            version: event.version,
            payload: event,
            correlation_id: event.correlationId,
          })),
        ),
      ],
    );
    return queued.length;
  }

  /**
   * Marks events delivered, each with the chain of events its delivery raised (their envelopes without
   * data: what an order's journey shows). The time is read at the end of the chain: what the
   * receipt-to-effect latency measures.
   */
  async settle(manager: EntityManager, settled: ReadonlyArray<{ id: string; chain: readonly ChainLink[] }>): Promise<void> {
    if (settled.length === 0) return;
    await manager.query(
      `UPDATE outbox_event AS o SET status = 'delivered', delivered_at = clock_timestamp(), last_error = NULL, chain = s.chain
       FROM json_to_recordset($1::json) AS s(id uuid, chain jsonb) WHERE o.id = s.id`,
      [JSON.stringify(settled)],
    );
  }

  /** A failed delivery of an event the caller holds locked: retried after `delayMs`, or dead. */
  async recordFailure(manager: EntityManager, id: string, failure: { dead: boolean; error: string; delayMs: number }): Promise<void> {
    await manager.query(
      `UPDATE outbox_event SET attempts = attempts + 1, status = $2, last_error = $3,
         next_attempt_at = now() + $4 * interval '1 millisecond'
       WHERE id = $1 AND status = 'pending'`,
      [id, failure.dead ? 'dead' : 'pending', failure.error.slice(0, 2000), failure.delayMs],
    );
  }

  /** The received events of these notifications (replays included), oldest first. */
  receivedEventsOf(notificationIds: readonly string[]): Promise<ReceivedEventRow[]> {
    return this.dataSource.query(
      `SELECT id, name, correlation_id AS "notificationId", coalesce((payload->'data'->>'replay')::boolean, false) AS replay, status,
         attempts, last_error AS "lastError", chain, created_at AS "createdAt", delivered_at AS "deliveredAt"
       FROM outbox_event WHERE correlation_id = ANY($1::uuid[]) ORDER BY created_at, id`,
      [notificationIds],
    );
  }

  deadLetters(): Promise<DeadLetter[]> {
    return this.dataSource.query(
      `SELECT id, name, payload->>'orderRef' AS "orderRef", payload->>'correlationId' AS "notificationId", attempts,
         last_error AS "lastError", created_at AS "createdAt"
       FROM outbox_event WHERE status = 'dead' ORDER BY created_at LIMIT 500`,
    );
  }

  /** Puts a dead letter back in the queue with fresh attempts; false when there is none with this id. */
  async retry(id: string): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      `UPDATE outbox_event SET status = 'pending', attempts = 0, next_attempt_at = now() WHERE id = $1 AND status = 'dead'`,
      [id],
    );
    return affected > 0;
  }

  /** Deletes at most `limit` delivered events settled before `before`; returns how many. */
  async purgeDelivered(before: Date, limit: number): Promise<number> {
    const [, deleted] = await this.dataSource.query(
      `DELETE FROM outbox_event WHERE id IN (
         SELECT id FROM outbox_event WHERE status = 'delivered' AND delivered_at < $1 LIMIT $2)`,
      [before, limit],
    );
    return deleted;
  }

  /** Queue depth for operators: pending events, the age of the oldest due one, dead letters. */
  async backlog(): Promise<{ pending: number; oldestPendingSeconds: number; dead: number }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
         coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending')), 0)::float AS "oldestPendingSeconds",
         count(*) FILTER (WHERE status = 'dead')::int AS dead
       FROM outbox_event WHERE status IN ('pending', 'dead')`,
    );
    return row;
  }
}
