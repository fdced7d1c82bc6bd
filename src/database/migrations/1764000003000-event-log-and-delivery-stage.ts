import type { MigrationInterface, QueryRunner } from 'typeorm';
import { OutsideCalls1764000001200 } from './1764000001200-outside-calls';

/**
 * The event log (every domain event raised in a delivery, one row each, positioned in commit order)
 * and the delivery stage's state: one cursor per target that follows the log (subscribers, mail,
 * webhook endpoints, the broker), and items for what left the happy path (a failure, and what waits
 * behind it for the same key). The mail and outside-calls stages' own queues go: the mail stage is a
 * target of the stage now (the engagement row keeps the message and its delivery status for the
 * timeline), and outside calls are subscribers.
 */
export class EventLogAndDeliveryStage1764000003000 implements MigrationInterface {
  name = 'EventLogAndDeliveryStage1764000003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE "event_log_position" AS bigint`);
    await queryRunner.query(
      `CREATE TABLE "event_log" (
         "position" bigint NOT NULL, "event_id" uuid NOT NULL, "name" text NOT NULL, "version" integer NOT NULL,
         "occurred_at" timestamptz NOT NULL, "order_ref" text, "key" text, "test" boolean NOT NULL,
         "causation_id" uuid, "correlation_id" uuid, "chain_id" uuid, "data" jsonb NOT NULL,
         "logged_at" timestamptz NOT NULL DEFAULT now(),
         CONSTRAINT "PK_event_log" PRIMARY KEY ("position"), CONSTRAINT "UQ_event_log_event_id" UNIQUE ("event_id"))`,
    );
    // An order's journey reads its notifications' chains; retention and replays look up by time.
    await queryRunner.query(`CREATE INDEX "IDX_event_log_correlation" ON "event_log" ("correlation_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_event_log_logged_at" ON "event_log" USING brin ("logged_at")`);
    // What retention has deleted: a cursor older than this is answered 410.
    await queryRunner.query(
      `CREATE TABLE "event_log_horizon" ("id" boolean PRIMARY KEY DEFAULT true CHECK ("id"), "purged_through" bigint NOT NULL)`,
    );
    await queryRunner.query(`INSERT INTO "event_log_horizon" ("purged_through") VALUES (0)`);

    await queryRunner.query(
      `CREATE TABLE "delivery_target" (
         "name" text NOT NULL, "channel" text NOT NULL, "position" bigint NOT NULL,
         "lease_token" uuid, "lease_until" timestamptz, "updated_at" timestamptz NOT NULL DEFAULT now(),
         CONSTRAINT "PK_delivery_target" PRIMARY KEY ("name"))`,
    );
    await queryRunner.query(`CREATE SEQUENCE "delivery_item_seq" AS bigint`);
    await queryRunner.query(
      `CREATE TABLE "delivery_item" (
         "id" uuid NOT NULL DEFAULT gen_random_uuid(), "target" text NOT NULL, "channel" text NOT NULL, "key" text NOT NULL,
         "seq" bigint NOT NULL, "position" bigint NOT NULL, "event_id" uuid NOT NULL, "event_name" text NOT NULL,
         "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT 0,
         "next_attempt_at" timestamptz NOT NULL DEFAULT now(), "lease_token" uuid, "lease_until" timestamptz,
         "last_error" text, "created_at" timestamptz NOT NULL DEFAULT now(), "done_at" timestamptz,
         CONSTRAINT "PK_delivery_item" PRIMARY KEY ("id"))`,
    );
    // The head of each key (the next to go), and what is due.
    await queryRunner.query(`CREATE INDEX "IDX_delivery_item_key" ON "delivery_item" ("target", "key", "seq") WHERE "status" = 'pending'`);
    await queryRunner.query(`CREATE INDEX "IDX_delivery_item_due" ON "delivery_item" ("next_attempt_at") WHERE "status" = 'pending'`);
    await queryRunner.query(`CREATE INDEX "IDX_delivery_item_status" ON "delivery_item" ("status", "created_at")`);
    await queryRunner.query(
      `ALTER TABLE "delivery_item" SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 1)`,
    );

    // The mail stage's lease moves to the stage; the timeline keeps the delivery status.
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_engagement_mail_due"`);
    await queryRunner.query(`ALTER TABLE "engagement" DROP COLUMN "next_attempt_at", DROP COLUMN "lease_token", DROP COLUMN "lease_until"`);
    await queryRunner.query(`DROP TABLE "outside_call"`);
    // What provisioning strategies returned (license codes), one row per provisioning of a grant.
    await queryRunner.query(
      `CREATE TABLE "provisioning" (
         "idempotency_key" text NOT NULL, "strategy" text NOT NULL, "entitlement_id" uuid NOT NULL, "ref_no" text NOT NULL,
         "grant_event_id" uuid NOT NULL, "result" jsonb NOT NULL, "provisioned_at" timestamptz NOT NULL DEFAULT now(),
         CONSTRAINT "PK_provisioning" PRIMARY KEY ("idempotency_key"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_provisioning_ref_no" ON "provisioning" ("ref_no")`);
  }

  /** Outside calls recorded before are not brought back (their table comes back empty): the handlers that performed them are gone. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "provisioning"`);
    await new OutsideCalls1764000001200().up(queryRunner);
    // The previous release kept each delivery's raised events as a chain on its received event.
    await queryRunner.query(
      `UPDATE outbox_event AS o SET chain = c.chain FROM (
         SELECT chain_id, jsonb_agg(jsonb_build_object('eventId', event_id, 'name', name, 'version', version,
           'occurredAt', to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'orderRef', order_ref, 'test', test,
           'causationId', causation_id, 'correlationId', correlation_id) ORDER BY position) AS chain
         FROM event_log WHERE chain_id IS NOT NULL GROUP BY chain_id) AS c
       WHERE o.id = c.chain_id`,
    );
    await queryRunner.query(
      `ALTER TABLE "engagement" ADD "next_attempt_at" timestamptz NOT NULL DEFAULT now(), ADD "lease_token" uuid, ADD "lease_until" timestamptz`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_engagement_mail_due" ON "engagement" ("next_attempt_at") WHERE "delivery" = 'pending'`);
    await queryRunner.query(`DROP TABLE "delivery_item"`);
    await queryRunner.query(`DROP SEQUENCE "delivery_item_seq"`);
    await queryRunner.query(`DROP TABLE "delivery_target"`);
    await queryRunner.query(`DROP TABLE "event_log_horizon"`);
    await queryRunner.query(`DROP TABLE "event_log"`);
    await queryRunner.query(`DROP SEQUENCE "event_log_position"`);
  }
}
