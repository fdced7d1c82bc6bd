import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed console sign-ins recorded bounded: a sample of rows a minute, and the rest of that minute
 * counted in one row per action, found by a unique index.
 */
export class AdminAuditCounted1764000002300 implements MigrationInterface {
  name = 'AdminAuditCounted1764000002300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "admin_audit"
        ADD COLUMN "sampled" boolean NOT NULL DEFAULT true,
        ADD COLUMN "count" integer NOT NULL DEFAULT 1`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_admin_audit_counted" ON "admin_audit" ("action", "at") WHERE sampled = false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "UQ_admin_audit_counted"`);
    await queryRunner.query(`ALTER TABLE "admin_audit" DROP COLUMN "count", DROP COLUMN "sampled"`);
  }
}
