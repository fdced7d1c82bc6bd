import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface WebhookAttempt {
  eventId: string;
  type: string;
  attempt: number;
  at: Date;
  /** The HTTP status answered; null when there was no answer (refused, timed out, connection failed). */
  status: number | null;
  durationMs: number;
  /** Null on success; bounded, never a secret, at most ~200 characters of a response body. */
  error: string | null;
}

/** Errors kept, at most (the body excerpt within is shorter still). */
const MAX_ERROR = 500;

/** Every statement on webhook_attempt. */
@Injectable()
export class WebhookAttemptRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(endpointId: string, attempt: Omit<WebhookAttempt, 'at'>): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO webhook_attempt (endpoint_id, event_id, type, attempt, http_status, duration_ms, error) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        endpointId,
        attempt.eventId,
        attempt.type,
        attempt.attempt,
        attempt.status,
        attempt.durationMs,
        attempt.error?.slice(0, MAX_ERROR) ?? null,
      ],
    );
  }

  /** The endpoint's attempts, newest first. */
  list(endpointId: string, limit: number): Promise<WebhookAttempt[]> {
    return this.dataSource.query(
      `SELECT event_id AS "eventId", type, attempt, at, http_status AS status, duration_ms AS "durationMs", error
       FROM webhook_attempt WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2`,
      [endpointId, limit],
    );
  }

  /** Deletes at most `limit` attempts made before `before`; how many. */
  async purgeBefore(before: Date, limit: number): Promise<number> {
    const [, deleted] = await this.dataSource.query(
      `DELETE FROM webhook_attempt WHERE id IN (SELECT id FROM webhook_attempt WHERE at < $1 LIMIT $2)`,
      [before, limit],
    );
    return deleted;
  }

  /** Deletes at most `limit` attempts of endpoints beyond their newest `keep`; how many. */
  async purgeBeyond(keep: number, limit: number): Promise<number> {
    const [, deleted] = await this.dataSource.query(
      `DELETE FROM webhook_attempt WHERE id IN (
         SELECT a.id FROM webhook_endpoint e
         CROSS JOIN LATERAL (SELECT id FROM webhook_attempt WHERE endpoint_id = e.id ORDER BY id DESC OFFSET $1) AS a
         LIMIT $2)`,
      [keep, limit],
    );
    return deleted;
  }
}
