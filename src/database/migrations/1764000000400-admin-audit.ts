import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The admin API's audit log: who (token fingerprint, address) asked for which replay or retry, and how it ended. */
export class AdminAudit1764000000400 implements MigrationInterface {
  name = 'AdminAudit1764000000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "admin_audit" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "token_fingerprint" character varying(16) NOT NULL,
        "remote_address" character varying(64),
        "action" character varying(64) NOT NULL,
        "target" character varying(200) NOT NULL,
        "outcome" character varying(16) NOT NULL,
        "detail" character varying(300),
        "finished_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_admin_audit" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_admin_audit_at" ON "admin_audit" ("at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "admin_audit"`);
  }
}
