import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** What became of a request: stored (accepted or unprocessable), or refused and why. */
export type NotificationOutcome = 'accepted' | 'unprocessable' | 'refused';

export interface ActivityFilter {
  readonly refNo?: string;
  /** ORDERSTATUS; refusals have none, so they never match one. */
  readonly status?: string;
  readonly listener?: string;
  /** `duplicate`: stored notifications delivered more than once. */
  readonly outcome?: NotificationOutcome | 'duplicate';
  readonly limit: number;
}

export interface ActivityRow {
  id: string;
  kind: string;
  listener: string;
  outcome: NotificationOutcome;
  /** The refusal's reason, or why a stored notification is unprocessable. */
  reason: string | null;
  detail: string | null;
  refNo: string | null;
  orderStatus: string | null;
  algorithm: string | null;
  remoteAddress: string | null;
  /** Deliveries of a stored notification; refusals counted in one row. */
  deliveries: number;
  receivedAt: Date;
  lastReceivedAt: Date;
}

export interface MinuteCount {
  minute: Date;
  outcome: NotificationOutcome;
  count: number;
}

/** Operators' reads over the inbox and the refusals together: what arrived and what became of it. */
@Injectable()
export class NotificationActivityRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Newest first: stored notifications and refusals, merged. */
  async recent(filter: ActivityFilter): Promise<ActivityRow[]> {
    const withStored = filter.outcome !== 'refused';
    // Refusals have no ORDERSTATUS: a status filter leaves them out.
    const withRefused = (!filter.outcome || filter.outcome === 'refused') && !filter.status;
    if (!withStored && !withRefused) return [];
    const parameters: unknown[] = [filter.limit];
    const bind = (value: unknown) => `$${parameters.push(value)}`;
    const conditions = (...sql: Array<string | false | undefined>) => sql.filter(Boolean).join(' AND ') || 'true';
    const shared = [
      filter.refNo !== undefined && `ref_no = ${bind(filter.refNo)}`,
      filter.listener !== undefined && `listener = ${bind(filter.listener)}`,
    ];
    const parts: string[] = [];
    if (withStored) {
      const status = filter.outcome === 'accepted' || filter.outcome === 'unprocessable' ? filter.outcome : undefined;
      parts.push(`SELECT id, kind, listener, status AS outcome, problem AS reason, NULL AS detail, ref_no, order_status, algorithm,
          remote_address, delivery_count AS deliveries, received_at, last_received_at
        FROM ipn_notification
        WHERE ${conditions(
          ...shared,
          filter.status !== undefined && `order_status = ${bind(filter.status)}`,
          status && `status = ${bind(status)}`,
          filter.outcome === 'duplicate' && 'delivery_count > 1',
        )}
        ORDER BY received_at DESC LIMIT $1`);
    }
    if (withRefused) {
      parts.push(`SELECT id, kind, listener, 'refused' AS outcome, reason, detail, ref_no, NULL AS order_status, NULL AS algorithm,
          remote_address, count AS deliveries, received_at, last_received_at
        FROM ipn_rejection WHERE ${conditions(...shared)}
        ORDER BY received_at DESC LIMIT $1`);
    }
    return this.dataSource.query(
      `SELECT id, kind, listener, outcome, reason, detail, ref_no AS "refNo", order_status AS "orderStatus", algorithm,
         remote_address AS "remoteAddress", deliveries, received_at AS "receivedAt", last_received_at AS "lastReceivedAt"
       FROM (${parts.map((part) => `(${part})`).join(' UNION ALL ')}) AS activity
       ORDER BY received_at DESC LIMIT $1`,
      parameters,
    );
  }

  /** Requests per minute and outcome since `since` (refusals by the minute they were counted in). */
  perMinute(since: Date): Promise<MinuteCount[]> {
    return this.dataSource.query(
      `SELECT date_trunc('minute', received_at) AS minute, status AS outcome, count(*)::int AS count
       FROM ipn_notification WHERE received_at >= $1 GROUP BY 1, 2
       UNION ALL
       SELECT date_trunc('minute', received_at), 'refused', sum(count)::int
       FROM ipn_rejection WHERE received_at >= $1 GROUP BY 1
       ORDER BY 1`,
      [since],
    );
  }

  /** Refusals per reason since `since`, most frequent first. */
  refusalsByReason(since: Date): Promise<Array<{ reason: string; count: number }>> {
    return this.dataSource.query(
      `SELECT reason, sum(count)::int AS count FROM ipn_rejection WHERE received_at >= $1 GROUP BY reason ORDER BY count DESC, reason`,
      [since],
    );
  }

  /** Accepted notifications that arrived in [from, to), oldest first. */
  async acceptedIdsReceivedBetween(from: Date, to: Date): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM ipn_notification WHERE received_at >= $1 AND received_at < $2 AND status = 'accepted' ORDER BY received_at`,
      [from, to],
    );
    return rows.map((row) => row.id);
  }
}
