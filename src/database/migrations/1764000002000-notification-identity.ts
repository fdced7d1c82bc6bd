import { createHash } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  FormBody,
  NotificationKind,
  isSignatureField,
  lengthPrefixed,
  missingReceiptFields,
  notificationIdentity,
} from '../../modules/ipn/protocol';
import { migrationContextOf } from '../migration-context';

/** Rows read, hashed and written back at a time: bounds the memory the raw bodies take. */
const BATCH = 500;

interface StoredRow {
  id: string;
  kind: NotificationKind;
  listener: string;
  status: string;
  problem: string | null;
  raw_body: Buffer;
}

/**
 * One notification, one row. The inbox's key was (kind, listener, SHA-256 of the signed names and
 * values): a notification posted to two listeners of one account, or replayed with a field renamed
 * (names are not signed), was stored, and processed, twice. The key becomes (kind, account, SHA-256 of
 * the signature source: protocol/identity).
 *
 * - `account` comes from the context runMigrations is given (the app's, and `npm run migration:run`'s,
 *   listener configuration); without one (TypeORM CLI), or for a listener no longer configured, the
 *   account is the listener's name.
 * - Every row is rehashed from its raw body, in batches. Rows that now share a key are marked copies of
 *   the first (`copy_of`: an accepted one first, then the earliest), kept as records outside the unique
 *   index (partial over non-copies) and never processed again.
 * - A row stored unprocessable only because a receipt field was sent empty (an LCN's EXPIRATION_DATE
 *   for a lifetime license) is accepted, and its processing queued: 2Checkout's retries of it get a receipt.
 * - Orders: the copies' history entries and refunds are removed, and every order with a refund is
 *   queued for a recompute (`order.recompute_requested`): the order stage rebuilds it from its
 *   notifications, refunds keyed by notification identity and measured against the purchase's lines,
 *   and raises what changed (`order.reinstated` for an order a copy, or a refund's 0.00 lines, had
 *   made wrongly REFUND).
 */
export class NotificationIdentity1764000002000 implements MigrationInterface {
  name = 'NotificationIdentity1764000002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const accounts = migrationContextOf(queryRunner)?.listenerAccounts ?? new Map<string, string>();
    await queryRunner.query(
      `ALTER TABLE "ipn_notification" ADD "account" character varying(64), ADD "identity_hash" bytea, ADD "copy_of" uuid`,
    );

    const accepted: string[] = [];
    await eachBatch(queryRunner, `kind, listener, status, problem`, async (rows) => {
      const updates = rows.map((row) => {
        const form = FormBody.parse(row.raw_body);
        const complete =
          row.status === 'unprocessable' && row.problem?.startsWith('missing ') && missingReceiptFields(row.kind, form).length === 0;
        if (complete) accepted.push(row.id);
        return {
          id: row.id,
          account: accounts.get(row.listener) ?? row.listener,
          identity: notificationIdentity(form).toString('hex'),
          status: complete ? 'accepted' : row.status,
          problem: complete ? null : row.problem,
        };
      });
      await queryRunner.query(
        `UPDATE "ipn_notification" AS n SET account = u.account, identity_hash = decode(u.identity, 'hex'), status = u.status, problem = u.problem
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(id, account, identity, status, problem)
         WHERE n.id = u.id`,
        [
          updates.map((update) => update.id),
          updates.map((update) => update.account),
          updates.map((update) => update.identity),
          updates.map((update) => update.status),
          updates.map((update) => update.problem),
        ],
      );
    });

    await queryRunner.query(`UPDATE "ipn_notification" AS n SET copy_of = f.first_id
      FROM (SELECT id, first_value(id) OVER (PARTITION BY kind, account, identity_hash
              ORDER BY (status = 'accepted') DESC, received_at, id) AS first_id
            FROM "ipn_notification") AS f
      WHERE n.id = f.id AND f.first_id <> f.id`);
    await queryRunner.query(
      `ALTER TABLE "ipn_notification" ALTER COLUMN "account" SET NOT NULL, ALTER COLUMN "identity_hash" SET NOT NULL`,
    );
    await queryRunner.query(`ALTER TABLE "ipn_notification" DROP CONSTRAINT "UQ_ipn_notification_content"`);
    await queryRunner.query(`ALTER TABLE "ipn_notification" DROP COLUMN "content_hash"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_ipn_notification_identity" ON "ipn_notification" ("kind", "account", "identity_hash")
      WHERE "copy_of" IS NULL`);

    // Notifications now receiptable: their processing is queued as their arrival would have queued it.
    await queryRunner.query(
      `INSERT INTO outbox_event (id, name, version, payload, correlation_id)
       SELECT e.event_id, e.kind || '.received', 1, jsonb_build_object(
         'eventId', e.event_id, 'name', e.kind || '.received', 'version', 1, 'occurredAt', ${NOW_ISO},
         'orderRef', e.ref_no, 'test', e.test_order, 'causationId', NULL, 'correlationId', e.id,
         'data', jsonb_build_object('notificationId', e.id, 'kind', e.kind, 'listener', e.listener, 'replay', false)), e.id
       FROM (SELECT gen_random_uuid() AS event_id, * FROM "ipn_notification" WHERE id = ANY($1::uuid[]) AND copy_of IS NULL) AS e`,
      [accepted],
    );

    // A copy's effects on its order: its history entry, and its refund (keyed by "IPN_DATE|arrival|id").
    await queryRunner.query(`DELETE FROM "order_status_history" AS h USING "ipn_notification" AS n
      WHERE h.notification_id = n.id AND n.copy_of IS NOT NULL`);
    await queryRunner.query(`UPDATE "order" AS o SET refunds = coalesce((
        SELECT jsonb_agg(r.refund ORDER BY r.at) FROM jsonb_array_elements(o.refunds) WITH ORDINALITY AS r(refund, at)
        WHERE NOT EXISTS (SELECT 1 FROM "ipn_notification" AS n
          WHERE n.copy_of IS NOT NULL AND n.id::text = split_part(r.refund->>'key', '|', 3))), '[]'::jsonb)
      WHERE o.refunds <> '[]'::jsonb`);
    // Each recompute starts a chain of its own (its id is the chain's correlation id, as a notification's is).
    await queryRunner.query(`INSERT INTO outbox_event (id, name, version, payload, correlation_id)
      SELECT e.event_id, 'order.recompute_requested', 1, jsonb_build_object(
        'eventId', e.event_id, 'name', 'order.recompute_requested', 'version', 1, 'occurredAt', ${NOW_ISO},
        'orderRef', e.ref_no, 'test', e.test, 'causationId', NULL, 'correlationId', e.event_id,
        'data', jsonb_build_object('refNo', e.ref_no, 'reason', ${RECOMPUTE_REASON})), e.event_id
      FROM (SELECT gen_random_uuid() AS event_id, ref_no, test FROM "order" WHERE refunds <> '[]'::jsonb) AS e`);
  }

  /** Back to one row per listener and signed names and values; orders stay as recomputed. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "UQ_ipn_notification_identity"`);
    await queryRunner.query(`ALTER TABLE "ipn_notification" ADD "content_hash" bytea`);
    await eachBatch(queryRunner, `kind`, async (rows) => {
      await queryRunner.query(
        `UPDATE "ipn_notification" AS n SET content_hash = decode(u.hash, 'hex')
         FROM unnest($1::uuid[], $2::text[]) AS u(id, hash) WHERE n.id = u.id`,
        [rows.map((row) => row.id), rows.map((row) => namesAndValuesHash(FormBody.parse(row.raw_body)))],
      );
    });
    await queryRunner.query(`ALTER TABLE "ipn_notification" ALTER COLUMN "content_hash" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "ipn_notification" DROP COLUMN "copy_of", DROP COLUMN "identity_hash", DROP COLUMN "account"`);
    await queryRunner.query(
      `ALTER TABLE "ipn_notification" ADD CONSTRAINT "UQ_ipn_notification_content" UNIQUE ("kind", "listener", "content_hash")`,
    );
  }
}

const NOW_ISO = `to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const RECOMPUTE_REASON = `'refunds keyed by notification identity and measured against the purchase (migration 1764000002000)'`;

/** Every inbox row, `BATCH` at a time in id order (the primary key's index), with its raw body. */
async function eachBatch(queryRunner: QueryRunner, columns: string, work: (rows: StoredRow[]) => Promise<void>): Promise<void> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows: StoredRow[] = await queryRunner.query(
      `SELECT id, ${columns}, raw_body FROM "ipn_notification" WHERE id > $1 ORDER BY id LIMIT $2`,
      [after, BATCH],
    );
    if (rows.length === 0) return;
    await work(rows);
    after = rows.at(-1)!.id;
  }
}

/** The key as the inbox computed it before this migration (names and values of the signed fields). */
function namesAndValuesHash(form: FormBody): string {
  const parts: Buffer[] = [];
  for (const field of form.fields) {
    if (!isSignatureField(field.name)) parts.push(Buffer.from(field.name, 'utf8'), ...field.values);
  }
  return createHash('sha256').update(lengthPrefixed(parts)).digest('hex');
}
