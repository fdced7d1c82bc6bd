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

export interface ClaimedMessage {
  id: string;
  email: string;
  subject: string;
  body: string;
  /** Sending attempts, this one included. */
  attempts: number;
}

/** Every statement on the customer timeline and the mail queue it doubles as. */
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

  /**
   * Leases up to `limit` messages due for sending to the holder of `token` for `leaseMs`: nobody else
   * sends them meanwhile, and only that holder can settle them. A lease that ran out (its holder died)
   * is taken over.
   */
  async claim(token: string, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
    // An UPDATE answers [rows, count] through TypeORM.
    const [rows]: [ClaimedMessage[], number] = await this.dataSource.query(
      `UPDATE engagement SET lease_token = $1, lease_until = now() + $3 * interval '1 millisecond', attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM engagement WHERE delivery = 'pending' AND next_attempt_at <= now()
           AND (lease_until IS NULL OR lease_until < now())
         ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, email, subject, body, attempts`,
      [token, limit, leaseMs],
    );
    return rows;
  }

  /** False when the lease was lost (it ran out and another sender took the message over). */
  async markSent(id: string, token: string): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      `UPDATE engagement SET delivery = 'sent', sent_at = now(), lease_token = NULL, lease_until = NULL, last_error = NULL
       WHERE id = $1 AND lease_token = $2`,
      [id, token],
    );
    return affected > 0;
  }

  async markFailed(id: string, token: string, failure: { final: boolean; error: string; delayMs: number }): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      `UPDATE engagement SET delivery = CASE WHEN $3 THEN 'failed' ELSE 'pending' END, last_error = $4,
         next_attempt_at = now() + $5 * interval '1 millisecond', lease_token = NULL, lease_until = NULL
       WHERE id = $1 AND lease_token = $2`,
      [id, token, failure.final, failure.error.slice(0, 2000), failure.delayMs],
    );
    return affected > 0;
  }
}
