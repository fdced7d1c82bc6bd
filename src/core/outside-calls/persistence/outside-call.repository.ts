import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { OutsideCallStatus } from './outside-call.entity';

export interface NewOutsideCall {
  handler: string;
  key: string;
  payload: unknown;
  orderRef: string | null;
  correlationId: string | null;
}

export interface ClaimedCall {
  id: string;
  handler: string;
  key: string;
  payload: unknown;
  /** Attempts, this one included. */
  attempts: number;
}

export interface OutsideCallView {
  id: string;
  handler: string;
  key: string;
  payload: unknown;
  orderRef: string | null;
  status: OutsideCallStatus;
  attempts: number;
  lastError: string | null;
  result: unknown;
  createdAt: Date;
  doneAt: Date | null;
}

/** Every statement on outside_call. */
@Injectable()
export class OutsideCallRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** In the caller's transaction; a (handler, key) recorded before is left as it is. */
  async insert(manager: EntityManager, calls: readonly NewOutsideCall[]): Promise<void> {
    if (calls.length === 0) return;
    await manager.query(
      `INSERT INTO outside_call (handler, key, payload, order_ref, correlation_id)
       SELECT c.handler, c.key, c.payload, c.order_ref, c.correlation_id
       FROM json_to_recordset($1::json) AS c(handler text, key text, payload jsonb, order_ref text, correlation_id uuid)
       ON CONFLICT (handler, key) DO NOTHING`,
      [
        JSON.stringify(
          calls.map((call) => ({
            handler: call.handler,
            key: call.key,
            payload: call.payload,
            order_ref: call.orderRef,
            correlation_id: call.correlationId,
          })),
        ),
      ],
    );
  }

  /** Leases up to `limit` due calls of `handlers` to `token` for `leaseMs` (a lapsed lease is taken over). */
  async claim(token: string, handlers: readonly string[], limit: number, leaseMs: number): Promise<ClaimedCall[]> {
    // An UPDATE's answer through TypeORM is [rows, affected].
    const [rows]: [ClaimedCall[], number] = await this.dataSource.query(
      `UPDATE outside_call SET lease_token = $1, lease_until = now() + $4 * interval '1 millisecond', attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM outside_call WHERE status = 'pending' AND next_attempt_at <= now() AND handler = ANY($2::text[])
           AND (lease_until IS NULL OR lease_until < now())
         ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING id, handler, key, payload, attempts`,
      [token, handlers, limit, leaseMs],
    );
    return rows;
  }

  /** False when the lease was lost meanwhile. */
  async markDone(id: string, token: string, result: unknown): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      `UPDATE outside_call SET status = 'done', done_at = now(), result = $3::jsonb, last_error = NULL, lease_token = NULL, lease_until = NULL
       WHERE id = $1 AND lease_token = $2`,
      [id, token, JSON.stringify(result ?? null)],
    );
    return affected > 0;
  }

  async markFailed(id: string, token: string, failure: { final: boolean; error: string; delayMs: number }): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      `UPDATE outside_call SET status = CASE WHEN $3 THEN 'failed' ELSE 'pending' END, last_error = $4,
         next_attempt_at = now() + $5 * interval '1 millisecond', lease_token = NULL, lease_until = NULL
       WHERE id = $1 AND lease_token = $2`,
      [id, token, failure.final, failure.error.slice(0, 2000), failure.delayMs],
    );
    return affected > 0;
  }

  find(handler: string, key: string): Promise<OutsideCallView | undefined> {
    return this.dataSource
      .query(
        `SELECT id, handler, key, payload, order_ref AS "orderRef", status, attempts, last_error AS "lastError", result,
           created_at AS "createdAt", done_at AS "doneAt"
         FROM outside_call WHERE handler = $1 AND key = $2`,
        [handler, key],
      )
      .then((rows: OutsideCallView[]) => rows[0]);
  }

  /** Calls given up after their last attempt, oldest first. */
  failed(limit = 500): Promise<OutsideCallView[]> {
    return this.dataSource.query(
      `SELECT id, handler, key, payload, order_ref AS "orderRef", status, attempts, last_error AS "lastError", result,
         created_at AS "createdAt", done_at AS "doneAt"
       FROM outside_call WHERE status = 'failed' ORDER BY created_at LIMIT $1`,
      [limit],
    );
  }
}
