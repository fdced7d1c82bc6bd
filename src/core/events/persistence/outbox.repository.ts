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

/** The longest wait between two attempts. */
const MAX_BACKOFF_MS = 60 * 60 * 1000;

export interface FailureToRecord {
  error: string;
  /** No retry can mend it: dead at once. */
  unprocessable: boolean;
  maxAttempts: number;
  /** Before the first retry; doubled after each failure. */
  backoffMs: number;
}

export interface RecordedFailure {
  attempts: number;
  dead: boolean;
  delayMs: number;
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

  /**
   * The event, locked, if it is still due; waits while another transaction holds it (within the
   * statement timeout), then sees the row as that transaction left it.
   */
  async lockOne(manager: EntityManager, id: string): Promise<DueEvent | undefined> {
    const [row] = await manager.query(`${DUE} AND id = $1 FOR UPDATE`, [id]);
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
   * Marks events delivered (what they raised goes to the event log). The time is read at the end of
   * the chain: what the receipt-to-effect latency measures.
   */
  async settle(manager: EntityManager, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await manager.query(
      `UPDATE outbox_event SET status = 'delivered', delivered_at = clock_timestamp(), last_error = NULL WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /**
   * A failed delivery of an event the caller holds locked: retried with exponential backoff, or dead
   * after the last attempt (or at once when unprocessable). Decided on the row's own count, so two
   * workers that both delivered the event (the first one's session ended under it) count each failure
   * once and never past the last attempt. Null when the event was no longer pending.
   */
  async recordFailure(manager: EntityManager, id: string, failure: FailureToRecord): Promise<RecordedFailure | null> {
    const [rows]: [RecordedFailure[], number] = await manager.query(
      `UPDATE outbox_event SET attempts = attempts + 1,
         status = CASE WHEN $3 OR attempts + 1 >= $4 THEN 'dead' ELSE 'pending' END,
         last_error = $2,
         next_attempt_at = now() + least($5 * power(2, attempts), $6) * interval '1 millisecond'
       WHERE id = $1 AND status = 'pending'
       RETURNING attempts, status = 'dead' AS dead, least($5 * power(2, attempts - 1), $6)::float AS "delayMs"`,
      [id, failure.error.slice(0, 2000), failure.unprocessable, failure.maxAttempts, failure.backoffMs, MAX_BACKOFF_MS],
    );
    return rows[0] ?? null;
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

  /**
   * Puts a dead letter back in the queue with fresh attempts; false when there is none with this id. A
   * notification's received event goes back as a replay: a replay may have applied the notification
   * since, and a replay is recognised and changes nothing, where a first run would collide with it.
   */
  async retry(id: string): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      `UPDATE outbox_event SET status = 'pending', attempts = 0, next_attempt_at = now(),
         payload = CASE WHEN payload->'data' ? 'notificationId' THEN jsonb_set(payload, '{data,replay}', 'true') ELSE payload END
       WHERE id = $1 AND status = 'dead'`,
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

  /**
   * Queue depth for operators: pending events, the age of the oldest due one, dead letters. One count per
   * status, each through its partial index (an IN list of both is planned as a scan of the whole outbox).
   */
  async backlog(): Promise<{ pending: number; oldestPendingSeconds: number; dead: number }> {
    const [row] = await this.dataSource.query(
      `SELECT p.pending::int AS pending, coalesce(extract(epoch FROM now() - p.oldest), 0)::float AS "oldestPendingSeconds", d.dead::int AS dead
       FROM (SELECT count(*) AS pending, min(created_at) AS oldest FROM outbox_event WHERE status = 'pending') AS p,
         (SELECT count(*) AS dead FROM outbox_event WHERE status = 'dead') AS d`,
    );
    return row;
  }
}
