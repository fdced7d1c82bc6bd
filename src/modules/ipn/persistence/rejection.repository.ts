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
}

/** Every statement on ipn_rejection. */
@Injectable()
export class RejectionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insertSample(row: RejectionRow): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ipn_rejection (kind, listener, reason, detail, remote_address, ref_no, body_bytes)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [row.kind, row.listener, row.reason, row.detail, row.remoteAddress, row.refNo, row.bodyBytes],
    );
  }

  /** Adds `count` refusals to the one row of their (address, reason, minute), created by the first. */
  async count(row: RejectionRow, minute: Date, count: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ipn_rejection (kind, listener, reason, detail, remote_address, body_bytes, sampled, received_at, count)
       VALUES ($1, $2, $3, $4, $5, $6, false, $7, $8)
       ON CONFLICT (remote_address, reason, received_at) WHERE sampled = false
       DO UPDATE SET count = ipn_rejection.count + EXCLUDED.count, last_received_at = now(),
                     body_bytes = GREATEST(ipn_rejection.body_bytes, EXCLUDED.body_bytes)`,
      [row.kind, row.listener, row.reason, row.detail, row.remoteAddress, row.bodyBytes, minute, count],
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
