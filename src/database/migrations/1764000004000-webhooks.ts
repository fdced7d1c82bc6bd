import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook endpoints (each a target of the delivery stage, `webhook:<id>`) and their delivery attempts.
 * `revision` takes a fresh number of its sequence at every change, so instances see a change by reading
 * max(revision) and count(*) alone. Attempts go with their endpoint, and are kept bounded (by age and per
 * endpoint) by WebhookAttemptRetention.
 */
export class Webhooks1764000004000 implements MigrationInterface {
  name = 'Webhooks1764000004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE "webhook_endpoint_revision" AS bigint`);
    await queryRunner.query(
      `CREATE TABLE "webhook_endpoint" (
         "id" uuid NOT NULL DEFAULT gen_random_uuid(), "url" text NOT NULL, "events" text[] NOT NULL, "description" text,
         "status" text NOT NULL DEFAULT 'enabled', "disabled_reason" text, "disabled_at" timestamptz,
         "secret" text NOT NULL, "previous_secret" text, "previous_secret_until" timestamptz,
         "failing_since" timestamptz, "revision" bigint NOT NULL DEFAULT nextval('webhook_endpoint_revision'),
         "created_at" timestamptz NOT NULL DEFAULT now(), "updated_at" timestamptz NOT NULL DEFAULT now(),
         CONSTRAINT "PK_webhook_endpoint" PRIMARY KEY ("id"),
         CONSTRAINT "CHK_webhook_endpoint_status" CHECK ("status" IN ('enabled', 'disabled')))`,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_attempt" (
         "id" bigint GENERATED ALWAYS AS IDENTITY, "endpoint_id" uuid NOT NULL, "event_id" uuid NOT NULL, "type" text NOT NULL,
         "attempt" integer NOT NULL, "at" timestamptz NOT NULL DEFAULT now(), "http_status" integer, "duration_ms" integer NOT NULL,
         "error" text,
         CONSTRAINT "PK_webhook_attempt" PRIMARY KEY ("id"),
         CONSTRAINT "FK_webhook_attempt_endpoint" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoint" ("id") ON DELETE CASCADE)`,
    );
    // An endpoint's attempts newest first; retention by age.
    await queryRunner.query(`CREATE INDEX "IDX_webhook_attempt_endpoint" ON "webhook_attempt" ("endpoint_id", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_attempt_at" ON "webhook_attempt" USING brin ("at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "delivery_item" WHERE "target" LIKE 'webhook:%'`);
    await queryRunner.query(`DELETE FROM "delivery_target" WHERE "name" LIKE 'webhook:%'`);
    await queryRunner.query(`DROP TABLE "webhook_attempt"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoint"`);
    await queryRunner.query(`DROP SEQUENCE "webhook_endpoint_revision"`);
  }
}
