import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refusals recorded bounded: every text column gets a length (existing rows cut to it), and the
 * refusals beyond a sample per (address, reason, minute) are counted in one row, found by a unique index.
 */
export class BoundedRejections1764000000100 implements MigrationInterface {
  name = 'BoundedRejections1764000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "ipn_rejection"
        ALTER COLUMN "detail" TYPE character varying(300) USING left("detail", 300),
        ALTER COLUMN "remote_address" TYPE character varying(64) USING left("remote_address", 64),
        ALTER COLUMN "ref_no" TYPE character varying(64) USING left("ref_no", 64),
        ADD COLUMN "sampled" boolean NOT NULL DEFAULT true,
        ADD COLUMN "count" integer NOT NULL DEFAULT 1,
        ADD COLUMN "last_received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`);
    await queryRunner.query(`UPDATE "ipn_rejection" SET "last_received_at" = "received_at"`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX "UQ_ipn_rejection_counted" ON "ipn_rejection" ("remote_address", "reason", "received_at")
      WHERE sampled = false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "UQ_ipn_rejection_counted"`);
    await queryRunner.query(`
      ALTER TABLE "ipn_rejection"
        DROP COLUMN "last_received_at",
        DROP COLUMN "count",
        DROP COLUMN "sampled",
        ALTER COLUMN "ref_no" TYPE text,
        ALTER COLUMN "remote_address" TYPE text,
        ALTER COLUMN "detail" TYPE text`);
  }
}
