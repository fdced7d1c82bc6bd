import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outside-calls stage (src/core/outside-calls): work that must reach another system (a licensing
 * API, a CRM) is recorded by a consumer in its delivery transaction, then performed by a leased worker
 * after the commit. One row per (handler, key): recording the same call twice is one call.
 */
export class OutsideCalls1764000001200 implements MigrationInterface {
  name = 'OutsideCalls1764000001200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "outside_call" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "handler" text NOT NULL,
      "key" text NOT NULL,
      "payload" jsonb NOT NULL,
      "order_ref" text,
      "correlation_id" uuid,
      "status" character varying(16) NOT NULL DEFAULT 'pending',
      "attempts" integer NOT NULL DEFAULT 0,
      "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "lease_token" uuid,
      "lease_until" TIMESTAMP WITH TIME ZONE,
      "last_error" text,
      "result" jsonb,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "done_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "UQ_outside_call_key" UNIQUE ("handler", "key"),
      CONSTRAINT "PK_outside_call" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_outside_call_due" ON "outside_call" ("next_attempt_at") WHERE "status" = 'pending'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "outside_call"`);
  }
}
