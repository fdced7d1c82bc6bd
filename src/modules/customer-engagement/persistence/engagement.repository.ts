import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { EngagementKind } from '../contracts/engagement.events';

/** How a message leaves: written by the log transport as recorded, or queued for the mail stage. */
export type MessageDelivery = 'logged' | 'pending' | 'sent' | 'failed';

export interface NewMessage {
  id: string;
  kind: EngagementKind;
  email: string;
  refNo: string | null;
  subject: string;
  body: string;
  transport: string;
  test: boolean;
  causeEventId: string;
  delivery: MessageDelivery;
}

export interface OutgoingRecord {
  id: string;
  email: string;
  subject: string;
  body: string;
}

/** Every statement on the customer timeline (the delivery stage sends what it records for mail). */
@Injectable()
export class EngagementRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, messages: readonly NewMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const column = <T>(pick: (message: NewMessage) => T): T[] => messages.map(pick);
    await manager.query(
      // clock_timestamp(), not the transaction's now(): messages recorded together keep their order on the timeline.
      `INSERT INTO engagement (id, kind, email, ref_no, subject, body, transport, test, cause_event_id, delivery, created_at)
       SELECT *, clock_timestamp() FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::boolean[], $9::uuid[], $10::text[])`,
      [
        column((message) => message.id),
        column((message) => message.kind),
        column((message) => message.email),
        column((message) => message.refNo),
        column((message) => message.subject),
        column((message) => message.body),
        column((message) => message.transport),
        column((message) => message.test),
        column((message) => message.causeEventId),
        column((message) => message.delivery),
      ],
    );
  }

  /** Which of these (kind, order) pairs the timeline has a message of. */
  async recordedKinds(
    manager: EntityManager,
    pairs: ReadonlyArray<{ kind: EngagementKind; refNo: string }>,
  ): Promise<Array<{ kind: EngagementKind; refNo: string }>> {
    if (pairs.length === 0) return [];
    return manager.query(
      `SELECT DISTINCT e.kind, e.ref_no AS "refNo" FROM engagement e
       JOIN unnest($1::text[], $2::text[]) AS p(kind, ref_no) ON e.kind = p.kind AND e.ref_no = p.ref_no`,
      [pairs.map((pair) => pair.kind), pairs.map((pair) => pair.refNo)],
    );
  }

  /** A recorded message to send: recipient, subject and text. */
  async find(id: string): Promise<OutgoingRecord | undefined> {
    const [row]: OutgoingRecord[] = await this.dataSource.query(`SELECT id, email, subject, body FROM engagement WHERE id = $1`, [id]);
    return row;
  }

  /** Sent (after `attempts` attempts): what the customer's timeline shows. */
  async markSent(id: string, attempts: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE engagement SET delivery = 'sent', sent_at = now(), attempts = $2, last_error = NULL WHERE id = $1 AND delivery = 'pending'`,
      [id, attempts],
    );
  }

  /** An attempt failed and will be retried: the timeline shows how many and why. */
  async markAttempt(id: string, error: string, attempts: number): Promise<void> {
    await this.dataSource.query(`UPDATE engagement SET attempts = $3, last_error = $2 WHERE id = $1 AND delivery = 'pending'`, [
      id,
      error.slice(0, 2000),
      attempts,
    ]);
  }

  /** Given up after the last attempt. */
  async markFailed(id: string, error: string): Promise<void> {
    await this.dataSource.query(`UPDATE engagement SET delivery = 'failed', last_error = $2 WHERE id = $1 AND delivery = 'pending'`, [
      id,
      error.slice(0, 2000),
    ]);
  }
}
