import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { NotificationKind } from '../protocol';
import type { RejectionReason } from './ipn-rejection.entity';

/** One refusal, its texts already bounded. */
export interface RejectionRow {
  readonly kind: NotificationKind;
  readonly listener: string;
  readonly reason: RejectionReason;
  readonly detail: string;
  readonly remoteAddress: string;
  readonly refNo: string | null;
  readonly bodyBytes: number;
  readonly receivedAt: Date;
}

/** Refusals of one (kind, listener, reason, minute) that were counted, not recorded one by one. */
export interface CountedRejections {
  readonly kind: NotificationKind;
  readonly listener: string;
  readonly reason: RejectionReason;
  readonly minute: Date;
  readonly count: number;
  /** The one sender of them all; null once they came from several. */
  readonly remoteAddress: string | null;
  /** The largest body among them. */
  readonly bodyBytes: number;
  readonly lastReceivedAt: Date;
}

/** The detail of a counter row. */
export const COUNTED_DETAIL =
  'Counted, not recorded one by one (over IPN_REFUSAL_RECORDS_PER_MINUTE, or the sender over IPN_REFUSALS_PER_MINUTE)';

/** Every statement on ipn_rejection. */
@Injectable()
export class RejectionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One row per refusal, in one statement. */
  async insertSamples(rows: readonly RejectionRow[]): Promise<void> {
    if (rows.length === 0) return;
    const column = <T>(pick: (row: RejectionRow) => T): T[] => rows.map(pick);
    await this.dataSource.query(
      `INSERT INTO ipn_rejection (kind, listener, reason, detail, remote_address, ref_no, body_bytes, received_at, last_received_at)
       SELECT kind, listener, reason, detail, remote_address, ref_no, body_bytes, received_at, received_at
       FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::int[], $8::timestamptz[])
         AS row (kind, listener, reason, detail, remote_address, ref_no, body_bytes, received_at)`,
      [
        column((row) => row.kind),
        column((row) => row.listener),
        column((row) => row.reason),
        column((row) => row.detail),
        column((row) => row.remoteAddress),
        column((row) => row.refNo),
        column((row) => row.bodyBytes),
        column((row) => row.receivedAt),
      ],
    );
  }

  /**
   * Adds each count to the one counter row of its (kind, listener, reason, minute), created by the
   * first, in one statement. The keys must be distinct (one statement cannot update a row twice).
   */
  async addCounts(counts: readonly CountedRejections[]): Promise<void> {
    if (counts.length === 0) return;
    const column = <T>(pick: (count: CountedRejections) => T): T[] => counts.map(pick);
    await this.dataSource.query(
      `INSERT INTO ipn_rejection (kind, listener, reason, detail, remote_address, body_bytes, sampled, count, received_at, last_received_at)
       SELECT kind, listener, reason, $1, remote_address, body_bytes, false, count, minute, last_received_at
       FROM unnest($2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::int[], $7::int[], $8::timestamptz[], $9::timestamptz[])
         AS counted (kind, listener, reason, remote_address, body_bytes, count, minute, last_received_at)
       ON CONFLICT (kind, listener, reason, received_at) WHERE sampled = false
       DO UPDATE SET count = ipn_rejection.count + EXCLUDED.count,
                     last_received_at = GREATEST(ipn_rejection.last_received_at, EXCLUDED.last_received_at),
                     body_bytes = GREATEST(ipn_rejection.body_bytes, EXCLUDED.body_bytes),
                     remote_address = CASE WHEN ipn_rejection.remote_address = EXCLUDED.remote_address
                                           THEN ipn_rejection.remote_address END`,
      [
        COUNTED_DETAIL,
        column((count) => count.kind),
        column((count) => count.listener),
        column((count) => count.reason),
        column((count) => count.remoteAddress),
        column((count) => count.bodyBytes),
        column((count) => count.count),
        column((count) => count.minute),
        column((count) => count.lastReceivedAt),
      ],
    );
  }

  /** Deletes at most `limit` rows received before `before`; returns how many it deleted. */
  async deleteOlderThan(before: Date, limit: number): Promise<number> {
    const [, deleted] = (await this.dataSource.query(
      `DELETE FROM ipn_rejection WHERE id IN (
         SELECT id FROM ipn_rejection WHERE received_at < $1 ORDER BY received_at LIMIT $2)`,
      [before, limit],
    )) as [unknown, number];
    return deleted;
  }
}
