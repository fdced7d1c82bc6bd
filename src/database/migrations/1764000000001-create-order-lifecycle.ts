import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox and consumer inbox (core/events), orders, accounts, fulfilment and customer engagement. */
export class CreateOrderLifecycle1764000000001 implements MigrationInterface {
  name = 'CreateOrderLifecycle1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "outbox_event" ("id" uuid NOT NULL, "name" text NOT NULL, "version" integer NOT NULL, "payload" jsonb NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT 0, "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "delivered_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_outbox_event" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_outbox_event_due" ON "outbox_event" ("next_attempt_at") WHERE "status" = 'pending'`);
    await queryRunner.query(`CREATE INDEX "IDX_outbox_event_dead" ON "outbox_event" ("created_at") WHERE "status" = 'dead'`);
    await queryRunner.query(
      `CREATE TABLE "processed_event" ("consumer" text NOT NULL, "event_id" uuid NOT NULL, "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_processed_event" PRIMARY KEY ("consumer", "event_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "account" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" text NOT NULL, "first_name" text, "last_name" text, "company" text, "country" text, "language" text, "avangate_customer_reference" text, "external_customer_reference" text, "test" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_account_email" UNIQUE ("email"), CONSTRAINT "PK_account" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "account_order" ("ref_no" text NOT NULL, "account_id" uuid NOT NULL, "linked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_account_order" PRIMARY KEY ("ref_no"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_account_order_account" ON "account_order"("account_id")`);
    await queryRunner.query(
      `CREATE TABLE "order" ("ref_no" text NOT NULL, "status" text, "fraud_status" text, "test" boolean NOT NULL DEFAULT false, "currency" text, "customer" jsonb NOT NULL, "items" jsonb NOT NULL, "milestones" jsonb NOT NULL DEFAULT '[]', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_order" PRIMARY KEY ("ref_no"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "order_status_history" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "ref_no" text NOT NULL, "status" text NOT NULL, "fraud_status" text, "notification_id" uuid NOT NULL, "ipn_date" text, "applied" boolean NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_order_status_history_notification" UNIQUE ("ref_no", "notification_id"), CONSTRAINT "PK_order_status_history" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_order_status_history_ref_no" ON "order_status_history"("ref_no", "recorded_at")`);
    await queryRunner.query(
      `CREATE TABLE "engagement" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" character varying(32) NOT NULL, "email" text NOT NULL, "ref_no" text, "subject" text NOT NULL, "body" text NOT NULL, "transport" character varying(32) NOT NULL, "test" boolean NOT NULL DEFAULT false, "cause_event_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_engagement" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_engagement_ref_no" ON "engagement"("ref_no")`);
    await queryRunner.query(`CREATE INDEX "IDX_engagement_email" ON "engagement"("email", "created_at")`);
    await queryRunner.query(
      `CREATE TABLE "entitlement" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "ref_no" text NOT NULL, "line_no" integer NOT NULL, "product_id" text NOT NULL, "product_name" text NOT NULL, "quantity" integer NOT NULL, "license_ref" text, "license_expires_at" text, "license_status" text, "license_disabled" boolean NOT NULL DEFAULT false, "delivered_codes" jsonb NOT NULL DEFAULT '[]', "status" character varying(16) NOT NULL, "test" boolean NOT NULL DEFAULT false, "customer_email" text, "granted_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_entitlement_line" UNIQUE ("ref_no", "line_no"), CONSTRAINT "PK_entitlement" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_entitlement_license_ref" ON "entitlement"("license_ref")`);
    await queryRunner.query(
      `CREATE TABLE "license_state" ("license_code" text NOT NULL, "expiration_date" text, "status" text, "disabled" boolean NOT NULL DEFAULT false, "date_updated" text, CONSTRAINT "PK_license_state" PRIMARY KEY ("license_code"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "fulfillment_order" ("ref_no" text NOT NULL, "closed" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_fulfillment_order" PRIMARY KEY ("ref_no"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "fulfillment_order"`);
    await queryRunner.query(`DROP TABLE "license_state"`);
    await queryRunner.query(`DROP TABLE "entitlement"`);
    await queryRunner.query(`DROP TABLE "engagement"`);
    await queryRunner.query(`DROP TABLE "order_status_history"`);
    await queryRunner.query(`DROP TABLE "order"`);
    await queryRunner.query(`DROP TABLE "account_order"`);
    await queryRunner.query(`DROP TABLE "account"`);
    await queryRunner.query(`DROP TABLE "processed_event"`);
    await queryRunner.query(`DROP TABLE "outbox_event"`);
  }
}
