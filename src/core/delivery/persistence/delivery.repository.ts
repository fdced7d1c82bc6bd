import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { EventFilter } from '../../events';

export type DeliveryItemStatus = 'pending' | 'done' | 'dead';

/** An event a target could not take on the happy path: failed, or waiting behind one that did. */
export interface NewItem {
  readonly key: string;
  readonly position: string;
  readonly eventId: string;
  readonly eventName: string;
  /** 0: not tried yet (it waits behind its key's head, or goes alone after its batch failed). */
  readonly attempts: number;
  readonly error: string | null;
  /** Milliseconds until it is due; null: dead already (its only attempt was the last). */
  readonly delayMs: number | null;
}

export interface ClaimedItem {
  id: string;
  target: string;
  key: string;
  position: string;
  /** This attempt included. */
  attempts: number;
}

export interface DeliveryItemView {
  id: string;
  channel: string;
  target: string;
  key: string;
  eventId: string;
  eventName: string;
  status: DeliveryItemStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  createdAt: Date;
  doneAt: Date | null;
}

export interface TargetProgress {
  name: string;
  channel: string;
  position: string;
}

/** Every statement on delivery_target and delivery_item. Leases carry a token: only their holder settles. */
@Injectable()
export class DeliveryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Creates the targets this process serves that the database does not know yet, at their start. */
  async register(targets: ReadonlyArray<{ name: string; channel: string; startAt: 'beginning' | 'now' }>): Promise<void> {
    if (targets.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO delivery_target (name, channel, position)
       SELECT t.name, t.channel, CASE WHEN t.start_at = 'now'
         THEN greatest(coalesce((SELECT max(position) FROM event_log), 0), (SELECT purged_through FROM event_log_horizon))
         ELSE (SELECT purged_through FROM event_log_horizon) END
       FROM json_to_recordset($1::json) AS t(name text, channel text, start_at text)
       ON CONFLICT (name) DO NOTHING`,
      [JSON.stringify(targets.map((target) => ({ name: target.name, channel: target.channel, start_at: target.startAt })))],
    );
  }

  /** Of these targets, those behind the log's head and not leased by anyone: where there is work. */
  behind(names: readonly string[]): Promise<TargetProgress[]> {
    return this.dataSource.query(
      `SELECT name, channel, position::text AS position FROM delivery_target
       WHERE name = ANY($1::text[]) AND position < coalesce((SELECT max(position) FROM event_log), 0)
         AND (lease_until IS NULL OR lease_until < now())`,
      [names],
    );
  }

  /** Leases a target's cursor to `token` (taken over once its holder's lease ran out); its position, or null. */
  async leaseTarget(name: string, token: string, leaseMs: number): Promise<string | null> {
    const [rows]: [Array<{ position: string }>, number] = await this.dataSource.query(
      `UPDATE delivery_target SET lease_token = $2, lease_until = now() + $3 * interval '1 millisecond'
       WHERE name = $1 AND (lease_until IS NULL OR lease_until < now() OR lease_token = $2)
       RETURNING position::text AS position`,
      [name, token, leaseMs],
    );
    return rows[0]?.position ?? null;
  }

  /** False when the lease is no longer `token`'s. */
  async renewTarget(name: string, token: string, leaseMs: number): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      `UPDATE delivery_target SET lease_until = now() + $3 * interval '1 millisecond' WHERE name = $1 AND lease_token = $2`,
      [name, token, leaseMs],
    );
    return affected > 0;
  }

  async releaseTarget(name: string, token: string): Promise<void> {
    await this.dataSource.query(`UPDATE delivery_target SET lease_token = NULL, lease_until = NULL WHERE name = $1 AND lease_token = $2`, [
      name,
      token,
    ]);
  }

  /** Of these keys, those with an undelivered item for the target: their next events wait behind it. */
  async blockedKeys(target: string, keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows: Array<{ key: string }> = await this.dataSource.query(
      `SELECT DISTINCT key FROM delivery_item WHERE target = $1 AND status = 'pending' AND key = ANY($2::text[])`,
      [target, keys],
    );
    return new Set(rows.map((row) => row.key));
  }

  /**
   * Moves the target past `through` and records its items, through `manager` when given (a
   * transactional target's own transaction); false, and nothing recorded, when `token` no longer holds
   * the target (another worker took it over: it delivers the window again).
   */
  async advance(
    target: { name: string; channel: string },
    token: string,
    through: string,
    items: readonly NewItem[],
    manager?: EntityManager,
  ): Promise<boolean> {
    const run = async (runner: EntityManager): Promise<boolean> => {
      const [, affected] = await runner.query(
        `UPDATE delivery_target SET position = greatest(position, $3::bigint), updated_at = now() WHERE name = $1 AND lease_token = $2`,
        [target.name, token, through],
      );
      if (affected === 0) return false;
      await this.insertItems(runner, target, items);
      return true;
    };
    if (manager) return run(manager);
    return this.dataSource
      .transaction(async (runner) => {
        const advanced = await run(runner);
        // Nothing of this window is recorded: the new holder delivers it again.
        if (!advanced) throw new LeaseLost();
        return advanced;
      })
      .catch((error: unknown) => {
        if (error instanceof LeaseLost) return false;
        throw error;
      });
  }

  /**
   * Leases up to `limit` due items of these targets, each the head of its key (the earliest undelivered
   * one), to `token`; counts the attempt.
   */
  /**
   * Takes due items that head their keys, under a lease; at most `perTarget` of one target at once
   * for the targets in `oneAtATime` (in-process subscribers: one connection each, so that a broken one
   * cannot take the share of the pool the others need).
   */
  async claim(
    targets: readonly string[],
    token: string,
    limit: number,
    leaseMs: number,
    oneAtATime: readonly string[] = [],
  ): Promise<ClaimedItem[]> {
    if (targets.length === 0) return [];
    const [rows]: [ClaimedItem[], number] = await this.dataSource.query(
      `WITH due AS (
         SELECT d.id, d.target, d.next_attempt_at FROM delivery_item d
         WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND d.target = ANY($1::text[])
           AND (d.lease_until IS NULL OR d.lease_until < now())
           AND NOT EXISTS (SELECT 1 FROM delivery_item p
                           WHERE p.target = d.target AND p.key = d.key AND p.status = 'pending' AND p.seq < d.seq)
         ORDER BY d.next_attempt_at LIMIT $3 * 4 FOR UPDATE SKIP LOCKED),
       chosen AS (
         SELECT id FROM (SELECT id, target, next_attempt_at,
                                row_number() OVER (PARTITION BY target ORDER BY next_attempt_at) AS n FROM due) ranked
         WHERE n = 1 OR NOT (target = ANY($5::text[]))
         ORDER BY next_attempt_at LIMIT $3)
       UPDATE delivery_item SET lease_token = $2, lease_until = now() + $4 * interval '1 millisecond', attempts = attempts + 1
       WHERE id IN (SELECT id FROM chosen)
       RETURNING id, target, key, position::text AS position, attempts`,
      [targets, token, limit, leaseMs, oneAtATime],
    );
    return rows;
  }

  async renewItem(id: string, token: string, leaseMs: number): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      `UPDATE delivery_item SET lease_until = now() + $3 * interval '1 millisecond' WHERE id = $1 AND lease_token = $2 AND status = 'pending'`,
      [id, token, leaseMs],
    );
    return affected > 0;
  }

  /** Delivered; false (and nothing changed) when `token` no longer holds it. */
  async settleDone(id: string, token: string, manager?: EntityManager): Promise<boolean> {
    const [, affected] = await (manager ?? this.dataSource).query(
      `UPDATE delivery_item SET status = 'done', done_at = now(), last_error = NULL, lease_token = NULL, lease_until = NULL
       WHERE id = $1 AND lease_token = $2 AND status = 'pending'`,
      [id, token],
    );
    return affected > 0;
  }

  /** Failed: due again after `delayMs`, or dead when null; false when `token` no longer holds it. */
  async settleFailed(id: string, token: string, error: string, delayMs: number | null): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      `UPDATE delivery_item SET status = CASE WHEN $4::float IS NULL THEN 'dead' ELSE 'pending' END, last_error = $3,
         next_attempt_at = now() + coalesce($4::float, 0) * interval '1 millisecond', lease_token = NULL, lease_until = NULL
       WHERE id = $1 AND lease_token = $2 AND status = 'pending'`,
      [id, token, error.slice(0, 2000), delayMs],
    );
    return affected > 0;
  }

  /**
   * A dead item back in the queue with fresh attempts, after its key's other items (its place is a
   * fresh number of the log's sequence: after every event logged so far); false when none.
   */
  async retry(id: string): Promise<{ target: string } | null> {
    const [rows]: [Array<{ target: string }>, number] = await this.dataSource.query(
      `UPDATE delivery_item SET status = 'pending', attempts = 0, next_attempt_at = now(), seq = nextval('event_log_position'),
         last_error = NULL, done_at = NULL
       WHERE id = $1 AND status = 'dead' RETURNING target`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * The target's events (matching `filter`) logged since `since`, at most `limit`, as fresh items after
   * its keys' other items (their places are fresh numbers of the log's sequence, in log order); how many.
   */
  async enqueue(target: { name: string; channel: string }, filter: EventFilter, since: Date, limit: number): Promise<number> {
    const { sql, parameters } = filter.toSql(5);
    const [row]: Array<{ queued: number }> = await this.dataSource.query(
      `WITH queued AS (
         INSERT INTO delivery_item (target, channel, key, seq, position, event_id, event_name, status, attempts, next_attempt_at)
         SELECT $1, $2, coalesce(e.key, 'event:' || e.event_id), nextval('event_log_position'), e.position, e.event_id, e.name,
           'pending', 0, now()
         FROM (SELECT position, key, event_id, name FROM event_log WHERE logged_at >= $3 AND ${sql} ORDER BY position LIMIT $4) AS e
         RETURNING 1)
       SELECT count(*)::int AS queued FROM queued`,
      [target.name, target.channel, since, limit, ...parameters],
    );
    return row.queued;
  }

  /**
   * The target skips what it has not delivered: its position moves to the log's head, and its pending
   * items are given up (dead, with `reason`: they can be retried one by one).
   */
  async skipAhead(name: string, reason: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE delivery_target SET position = greatest(position, coalesce((SELECT max(position) FROM event_log), 0)), updated_at = now()
         WHERE name = $1`,
        [name],
      );
      await this.giveUp(name, reason, manager);
    });
  }

  /** The target's pending items given up (dead, with `reason`); how many. */
  giveUp(name: string, reason: string, manager?: EntityManager): Promise<number> {
    return (manager ?? this.dataSource)
      .query(
        `UPDATE delivery_item SET status = 'dead', last_error = $2, lease_token = NULL, lease_until = NULL
         WHERE target = $1 AND status = 'pending'`,
        [name, reason],
      )
      .then(([, affected]: [unknown, number]) => affected);
  }

  /** A target gone for good: its position and every item of it. */
  async forget(name: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM delivery_item WHERE target = $1`, [name]);
      await manager.query(`DELETE FROM delivery_target WHERE name = $1`, [name]);
    });
  }

  list(filter: { channel?: string; status?: DeliveryItemStatus; limit: number }): Promise<DeliveryItemView[]> {
    return this.dataSource.query(
      `SELECT id, channel, target, key, event_id AS "eventId", event_name AS "eventName", status, attempts, last_error AS "lastError",
         next_attempt_at AS "nextAttemptAt", created_at AS "createdAt", done_at AS "doneAt"
       FROM delivery_item WHERE ($1::text IS NULL OR channel = $1) AND ($2::text IS NULL OR status = $2)
       ORDER BY created_at DESC LIMIT $3`,
      [filter.channel ?? null, filter.status ?? null, filter.limit],
    );
  }

  /**
   * Per channel: items pending and dead, the oldest pending item's age; and each target's position
   * (what the log holds beyond it is pending too).
   */
  async backlog(): Promise<{
    items: Array<{ channel: string; pending: number; dead: number; oldestSeconds: number }>;
    targets: Array<{ name: string; channel: string; position: string }>;
  }> {
    const [items, targets] = await Promise.all([
      this.dataSource.query(
        `SELECT channel, count(*) FILTER (WHERE status = 'pending')::int AS pending, count(*) FILTER (WHERE status = 'dead')::int AS dead,
           coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending')), 0)::float AS "oldestSeconds"
         FROM delivery_item WHERE status IN ('pending', 'dead') GROUP BY channel`,
      ),
      this.dataSource.query(`SELECT name, channel, position::text AS position FROM delivery_target`),
    ]);
    return { items, targets };
  }

  /** Deletes at most `limit` delivered items settled before `before`. */
  async purgeDone(before: Date, limit: number): Promise<number> {
    const [, deleted] = await this.dataSource.query(
      `DELETE FROM delivery_item WHERE id IN (SELECT id FROM delivery_item WHERE status = 'done' AND done_at < $1 LIMIT $2)`,
      [before, limit],
    );
    return deleted;
  }

  private async insertItems(manager: EntityManager, target: { name: string; channel: string }, items: readonly NewItem[]): Promise<void> {
    if (items.length === 0) return;
    await manager.query(
      `INSERT INTO delivery_item (target, channel, key, seq, position, event_id, event_name, status, attempts, last_error, next_attempt_at)
       SELECT $1, $2, i.key, i.position, i.position, i.event_id, i.event_name,
         CASE WHEN i.delay_ms IS NULL THEN 'dead' ELSE 'pending' END, i.attempts, i.error,
         now() + coalesce(i.delay_ms, 0) * interval '1 millisecond'
       FROM json_to_recordset($3::json) AS i(key text, position bigint, event_id uuid, event_name text, attempts int, error text, delay_ms float)`,
      [
        target.name,
        target.channel,
        JSON.stringify(
          items.map((item) => ({
            key: item.key,
            position: item.position,
            event_id: item.eventId,
            event_name: item.eventName,
            attempts: item.attempts,
            error: item.error?.slice(0, 2000) ?? null,
            delay_ms: item.delayMs,
          })),
        ),
      ],
    );
  }
}

class LeaseLost extends Error {}
