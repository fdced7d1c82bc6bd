import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event pipeline: orders keep the sort keys of the notifications that decided their state; events
 * carry the notification that started their chain; delivered events can be purged by age; effects
 * commit with the delivery that settles their event, so processed-event records and fulfilment's
 * order locks are no longer needed. Customer messages double as the mail stage's queue.
 */
export class EventPipeline1764000000200 implements MigrationInterface {
  name = 'EventPipeline1764000000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "order" ADD "status_key" text, ADD "fraud_key" text, ADD "facts_key" text`);
    await queryRunner.query(`ALTER TABLE "outbox_event" ADD "correlation_id" uuid, ADD "chain" jsonb`);
    await queryRunner.query(`CREATE INDEX "IDX_outbox_event_correlation" ON "outbox_event" ("correlation_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_outbox_event_delivered" ON "outbox_event" ("delivered_at") WHERE "status" = 'delivered'`);
    await queryRunner.query(`DROP TABLE "processed_event"`);
    await queryRunner.query(`DROP TABLE "fulfillment_order"`);
    await queryRunner.query(`ALTER TABLE "engagement" ADD "delivery" character varying(16) NOT NULL DEFAULT 'logged',
      ADD "attempts" integer NOT NULL DEFAULT 0, ADD "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      ADD "lease_token" uuid, ADD "lease_until" TIMESTAMP WITH TIME ZONE, ADD "last_error" text,
      ADD "sent_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "IDX_engagement_mail_due" ON "engagement" ("next_attempt_at") WHERE "delivery" = 'pending'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_engagement_mail_due"`);
    await queryRunner.query(`ALTER TABLE "engagement" DROP COLUMN "delivery", DROP COLUMN "attempts", DROP COLUMN "next_attempt_at",
      DROP COLUMN "lease_token", DROP COLUMN "lease_until", DROP COLUMN "last_error", DROP COLUMN "sent_at"`);
    await queryRunner.query(
      `CREATE TABLE "fulfillment_order" ("ref_no" text NOT NULL, "closed" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_fulfillment_order" PRIMARY KEY ("ref_no"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "processed_event" ("consumer" text NOT NULL, "event_id" uuid NOT NULL, "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_processed_event" PRIMARY KEY ("consumer", "event_id"))`,
    );
    await queryRunner.query(`DROP INDEX "IDX_outbox_event_delivered"`);
    await queryRunner.query(`DROP INDEX "IDX_outbox_event_correlation"`);
    await queryRunner.query(`ALTER TABLE "outbox_event" DROP COLUMN "chain", DROP COLUMN "correlation_id"`);
    await queryRunner.query(`ALTER TABLE "order" DROP COLUMN "facts_key", DROP COLUMN "fraud_key", DROP COLUMN "status_key"`);
  }
}
