import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { DomainEvent } from '../domain-event';
import { EventFilter } from '../event-filter';
import { deliveryKeyOf } from '../delivery-key';

/** An event as the log holds it: the envelope, its position, and the key its deliveries are ordered by. */
export interface LoggedEvent {
  readonly position: string;
  readonly key: string | null;
  /** The outbox event (a stored notification's received event) whose delivery raised it. */
  readonly chainId: string | null;
  readonly loggedAt: Date;
  readonly event: DomainEvent;
}

/** A stretch of the log after a position: the rows matching a filter, and how far it looked. */
export interface LogWindow {
  readonly events: LoggedEvent[];
  /** The last position looked at (null: nothing after `after`). The next window starts after it. */
  readonly scannedThrough: string | null;
}

/**
 * Any number: the transaction-level advisory lock under which delivery transactions append to the
 * log. Held from the append to the end of the transaction, it makes positions follow commit order.
 */
const APPEND_LOCK = 7241000001;

interface Row {
  position: string;
  event_id: string;
  name: string;
  version: number;
  occurred_at: string;
  order_ref: string | null;
  key: string | null;
  test: boolean;
  causation_id: string | null;
  correlation_id: string | null;
  chain_id: string | null;
  data: unknown;
  logged_at: Date;
}

/** The row as read (`position` as text: a bigint; ORDER BY must name event_log.position, not this alias). */
const COLUMNS = `position::text AS position, event_id, name, version,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
  order_ref, key, test, causation_id, correlation_id, chain_id, data, logged_at`;

/** Every statement on event_log. */
@Injectable()
export class EventLogRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends events raised in the caller's (delivery) transaction, in the order given, in one statement;
   * call it last before the commit. Positions are handed out under a transaction-level lock held until
   * the commit, so a row with a higher position never becomes visible before one with a lower: a reader
   * that reads `position > after` in order misses nothing (the feed's guarantee). The lock serialises
   * only this append and the commit behind it.
   */
  async append(manager: EntityManager, events: ReadonlyArray<{ event: DomainEvent; chainId: string | null }>): Promise<void> {
    if (events.length === 0) return;
    await manager.query(`SELECT pg_advisory_xact_lock(${APPEND_LOCK})`);
    await manager.query(
      `INSERT INTO event_log (position, event_id, name, version, occurred_at, order_ref, key, test, causation_id, correlation_id, chain_id, data)
       SELECT nextval('event_log_position'), e.event_id, e.name, e.version, e.occurred_at, e.order_ref, e.key, e.test,
         e.causation_id, e.correlation_id, e.chain_id, e.data
       FROM (SELECT * FROM json_to_recordset($1::json) AS e(event_id uuid, name text, version int, occurred_at timestamptz,
               order_ref text, key text, test boolean, causation_id uuid, correlation_id uuid, chain_id uuid, data jsonb, n int)
             ORDER BY n) AS e`,
      [
        JSON.stringify(
          events.map(({ event, chainId }, n) => ({
            n,
            event_id: event.eventId,
            name: event.name,
            version: event.version,
            occurred_at: event.occurredAt,
            order_ref: event.orderRef,
            key: deliveryKeyOf(event),
            test: event.test,
            causation_id: event.causationId,
            correlation_id: event.correlationId,
            chain_id: chainId,
            data: event.data ?? null,
          })),
        ),
      ],
    );
  }

  /**
   * Up to `limit` rows after `after` that match `filter`, looking at no more than `scan` rows: the
   * window a feed page or a delivery target reads.
   */
  async window(after: string, filter: EventFilter, limit: number, scan: number): Promise<LogWindow> {
    const [bound]: Array<{ through: string | null }> = await this.dataSource.query(
      `SELECT max(position)::text AS through FROM (SELECT position FROM event_log WHERE position > $1 ORDER BY position LIMIT $2) AS s`,
      [after, scan],
    );
    if (bound.through === null) return { events: [], scannedThrough: null };
    const { sql, parameters } = filter.toSql(4);
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM event_log WHERE position > $1 AND position <= $2 AND ${sql} ORDER BY event_log.position LIMIT $3`,
      [after, bound.through, limit, ...parameters],
    );
    // Fewer than `limit` matched: everything up to the bound was looked at. Otherwise the last row is.
    const scannedThrough = rows.length === limit ? rows[rows.length - 1].position : bound.through;
    return { events: rows.map(loggedOf), scannedThrough };
  }

  /** The events at these positions (delivery items refer to them), by position. */
  async at(positions: readonly string[]): Promise<Map<string, LoggedEvent>> {
    if (positions.length === 0) return new Map();
    const rows: Row[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM event_log WHERE position = ANY($1::bigint[])`, [positions]);
    return new Map(rows.map((row) => [row.position, loggedOf(row)]));
  }

  /** The events the deliveries of these notifications raised, in log order. */
  async ofNotifications(notificationIds: readonly string[]): Promise<LoggedEvent[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM event_log WHERE correlation_id = ANY($1::uuid[]) ORDER BY event_log.position`,
      [notificationIds],
    );
    return rows.map(loggedOf);
  }

  /** How many events matching `filter` lie beyond `after` (at most `cap`), and the age of the first. */
  async lag(after: string, filter: EventFilter, cap: number): Promise<{ count: number; oldestSeconds: number }> {
    const { sql, parameters } = filter.toSql(3);
    const [row]: Array<{ count: number; oldest: number | null }> = await this.dataSource.query(
      `SELECT count(*)::int AS count, extract(epoch FROM now() - min(logged_at))::float AS oldest
       FROM (SELECT logged_at FROM event_log WHERE position > $1 AND ${sql} ORDER BY position LIMIT $2) AS beyond`,
      [after, cap, ...parameters],
    );
    return { count: row.count, oldestSeconds: Math.max(0, row.oldest ?? 0) };
  }

  /** The newest position (0 for an empty log). */
  async head(): Promise<string> {
    const [row]: Array<{ head: string }> = await this.dataSource.query(
      `SELECT greatest(coalesce((SELECT max(position) FROM event_log), 0), (SELECT purged_through FROM event_log_horizon))::text AS head`,
    );
    return row.head;
  }

  /** Positions at or below this were deleted by retention. */
  async purgedThrough(): Promise<string> {
    const [row]: Array<{ through: string }> = await this.dataSource.query(`SELECT purged_through::text AS through FROM event_log_horizon`);
    return row.through;
  }

  /** The last position logged before `time` (0 if none is retained). */
  async positionBefore(time: Date): Promise<string> {
    const [row]: Array<{ position: string | null }> = await this.dataSource.query(
      `SELECT max(position)::text AS position FROM event_log WHERE logged_at < $1`,
      [time],
    );
    return row.position ?? '0';
  }

  /**
   * Deletes at most `limit` of the oldest rows logged before `before` that no pending delivery item
   * still needs, and moves the horizon past what it deleted; returns how many.
   */
  async purge(before: Date, limit: number): Promise<number> {
    const [row]: Array<{ deleted: number }> = await this.dataSource.query(
      `WITH doomed AS (
         SELECT position FROM event_log e WHERE logged_at < $1
           AND NOT EXISTS (SELECT 1 FROM delivery_item i WHERE i.position = e.position AND i.status = 'pending')
         ORDER BY position LIMIT $2),
       deleted AS (DELETE FROM event_log WHERE position IN (SELECT position FROM doomed) RETURNING position),
       horizon AS (UPDATE event_log_horizon SET purged_through = greatest(purged_through, (SELECT max(position) FROM deleted))
                   WHERE EXISTS (SELECT 1 FROM deleted))
       SELECT count(*)::int AS deleted FROM deleted`,
      [before, limit],
    );
    return row.deleted;
  }
}

function loggedOf(row: Row): LoggedEvent {
  return {
    position: row.position,
    key: row.key,
    chainId: row.chain_id,
    loggedAt: row.logged_at,
    event: {
      eventId: row.event_id,
      name: row.name,
      version: row.version,
      occurredAt: row.occurred_at,
      orderRef: row.order_ref,
      test: row.test,
      causationId: row.causation_id,
      correlationId: row.correlation_id,
      data: row.data,
    },
  };
}
