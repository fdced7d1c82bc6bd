import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { FormBody, NotificationKind } from '../protocol';
import type { NotificationStatus } from './ipn-notification.entity';

/** One inbox row to store, with the received event that queues its processing. */
export interface InboxArrival {
  readonly kind: NotificationKind;
  readonly listener: string;
  readonly account: string;
  /** SHA-256 of the signature source (protocol/identity). */
  readonly identity: Buffer;
  readonly algorithm: string;
  readonly status: NotificationStatus;
  readonly problem: string | null;
  readonly rawBody: Buffer;
  readonly refNo: string | null;
  readonly orderStatus: string | null;
  readonly ipnDate: string | null;
  readonly messageId: string | null;
  readonly licenseCode: string | null;
  readonly test: boolean;
  readonly remoteAddress: string | null;
  /** Deliveries of this notification in the batch. */
  readonly count: number;
}

export interface InboxRow {
  id: string;
  kind: NotificationKind;
  account: string;
  identity: Buffer;
  status: NotificationStatus;
  /** False: the notification was stored before (a re-delivery, through this listener or another of the account). */
  inserted: boolean;
  receivedAt: Date;
}

/** A stored notification, read back for processing. */
export interface StoredNotification {
  readonly id: string;
  readonly kind: NotificationKind;
  readonly listener: string;
  /** Hex of the SHA-256 of its signature source: what makes it one notification, however often delivered. */
  readonly identity: string;
  readonly form: FormBody;
  readonly test: boolean;
  /** When it arrived: breaks ties between notifications of one order with the same IPN_DATE. */
  readonly receivedAt: Date;
}

const COLUMNS = [
  'kind',
  'listener',
  'account',
  'identity_hash',
  'algorithm',
  'status',
  'problem',
  'raw_body',
  'ref_no',
  'order_status',
  'ipn_date',
  'message_id',
  'license_code',
  'test_order',
  'remote_address',
  'delivery_count',
];

/** The envelope of a received event (DomainEvent), built in SQL for the rows just inserted. */
const RECEIVED_EVENT = `jsonb_build_object(
  'eventId', e.event_id, 'name', e.kind || '.received', 'version', 1,
  'occurredAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'orderRef', e.ref_no, 'test', e.test_order, 'causationId', NULL, 'correlationId', e.id,
  'data', jsonb_build_object('notificationId', e.id, 'kind', e.kind, 'listener', e.listener, 'replay', false))`;

/** Every statement on ipn_notification. */
@Injectable()
export class NotificationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Stores a batch in one statement (atomic on its own: no transaction around it): new notifications
   * are inserted and their received events queued in the outbox; one stored before (same kind, account
   * and identity) only counts the delivery. `arrivals` holds each notification once. Rows go in identity
   * order, so two batches sharing notifications lock them in one order.
   */
  async store(arrivals: readonly InboxArrival[]): Promise<InboxRow[]> {
    const sorted = [...arrivals].sort((a, b) => Buffer.compare(a.identity, b.identity) || (a.account < b.account ? -1 : 1));
    const parameters: unknown[] = [];
    const tuples = sorted.map((arrival) => {
      const at = parameters.length;
      parameters.push(
        arrival.kind,
        arrival.listener,
        arrival.account,
        arrival.identity,
        arrival.algorithm,
        arrival.status,
        arrival.problem,
        arrival.rawBody,
        arrival.refNo,
        arrival.orderStatus,
        arrival.ipnDate,
        arrival.messageId,
        arrival.licenseCode,
        arrival.test,
        arrival.remoteAddress,
        arrival.count,
      );
      return `(${COLUMNS.map((_, i) => `$${at + i + 1}`).join(', ')})`;
    });
    const rows: Array<{
      id: string;
      kind: NotificationKind;
      account: string;
      identity_hash: Buffer;
      status: NotificationStatus;
      inserted: boolean;
      received_at: Date;
    }> = await this.dataSource.query(
      `WITH stored AS (
           INSERT INTO ipn_notification (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}
           ON CONFLICT (kind, account, identity_hash) WHERE copy_of IS NULL DO UPDATE
             SET delivery_count = ipn_notification.delivery_count + EXCLUDED.delivery_count, last_received_at = now()
           RETURNING id, kind, listener, account, identity_hash, status, ref_no, test_order, received_at, (xmax = 0) AS inserted),
         queued AS (
           INSERT INTO outbox_event (id, name, version, payload, correlation_id)
           SELECT e.event_id, e.kind || '.received', 1, ${RECEIVED_EVENT}, e.id
           FROM (SELECT gen_random_uuid() AS event_id, * FROM stored WHERE inserted AND status = 'accepted') e)
         SELECT id, kind, account, identity_hash, status, inserted, received_at FROM stored`,
      parameters,
    );
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      account: row.account,
      identity: row.identity_hash,
      status: row.status,
      inserted: row.inserted,
      receivedAt: row.received_at,
    }));
  }

  /**
   * The notifications with these ids, parsed from their raw bodies, in the caller's transaction. A copy
   * (a notification stored a second time, marked by the migration that made identities per account) is
   * not among them: processing it would count it twice.
   */
  async read(manager: EntityManager, ids: readonly string[]): Promise<Map<string, StoredNotification>> {
    const rows: Array<{
      id: string;
      kind: NotificationKind;
      listener: string;
      identity_hash: Buffer;
      raw_body: Buffer;
      test_order: boolean;
      received_at: Date;
    }> = await manager.query(
      `SELECT id, kind, listener, identity_hash, raw_body, test_order, received_at FROM ipn_notification
       WHERE id = ANY($1::uuid[]) AND copy_of IS NULL`,
      [ids],
    );
    return new Map(
      rows.map((row) => [
        row.id,
        {
          id: row.id,
          kind: row.kind,
          listener: row.listener,
          identity: row.identity_hash.toString('hex'),
          form: FormBody.parse(row.raw_body),
          test: row.test_order,
          receivedAt: row.received_at,
        },
      ]),
    );
  }

  /** Queues the processing of stored, accepted notifications again (never a copy's); returns the ids queued. */
  async queueReplay(ids: readonly string[]): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO outbox_event (id, name, version, payload, correlation_id)
       SELECT e.event_id, e.kind || '.received', 1,
         jsonb_set(${RECEIVED_EVENT}, '{data,replay}', 'true'), e.id
       FROM (SELECT gen_random_uuid() AS event_id, * FROM ipn_notification
             WHERE id = ANY($1::uuid[]) AND status = 'accepted' AND copy_of IS NULL) e
       RETURNING correlation_id AS id`,
      [ids],
    );
    return rows.map((row) => row.id);
  }

  /** Deletes at most `limit` notifications received before `before` whose processing is settled. */
  async deleteSettledBefore(before: Date, limit: number): Promise<number> {
    const [, deleted] = await this.dataSource.query(
      `DELETE FROM ipn_notification WHERE id IN (
         SELECT n.id FROM ipn_notification n WHERE n.received_at < $1
           AND NOT EXISTS (SELECT 1 FROM outbox_event e WHERE e.correlation_id = n.id AND e.status <> 'delivered')
         LIMIT $2)`,
      [before, limit],
    );
    return deleted;
  }
}
