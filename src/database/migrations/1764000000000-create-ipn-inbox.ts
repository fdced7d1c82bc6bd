import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIpnInbox1764000000000 implements MigrationInterface {
  name = 'CreateIpnInbox1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "ipn_notification" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "kind" character varying(3) NOT NULL,
        "listener" character varying(64) NOT NULL,
        "content_hash" bytea NOT NULL,
        "algorithm" character varying(8) NOT NULL,
        "status" character varying(16) NOT NULL,
        "problem" text,
        "raw_body" bytea NOT NULL,
        "fields" jsonb NOT NULL,
        "ref_no" text,
        "order_status" text,
        "ipn_date" text,
        "message_id" text,
        "license_code" text,
        "test_order" boolean NOT NULL DEFAULT false,
        "remote_address" text,
        "delivery_count" integer NOT NULL DEFAULT 1,
        "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_ipn_notification_content" UNIQUE ("kind", "listener", "content_hash"),
        CONSTRAINT "PK_ipn_notification" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_ipn_notification_ref_no" ON "ipn_notification" ("ref_no")`);
    await queryRunner.query(`
      CREATE TABLE "ipn_rejection" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "kind" character varying(3) NOT NULL,
        "listener" character varying(64) NOT NULL,
        "reason" character varying(32) NOT NULL,
        "detail" text NOT NULL,
        "remote_address" text,
        "ref_no" text,
        "body_bytes" integer NOT NULL,
        "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_ipn_rejection" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_ipn_rejection_received_at" ON "ipn_rejection" ("received_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ipn_rejection"`);
    await queryRunner.query(`DROP TABLE "ipn_notification"`);
  }
}
