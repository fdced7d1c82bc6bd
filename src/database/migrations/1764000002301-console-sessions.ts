import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Console sessions shared by every instance and kept across restarts: the SHA-256 of the cookie's
 * value (never the value), the fingerprint of the token it was opened with, its expiry, when it was
 * made and last used.
 */
export class ConsoleSessions1764000002301 implements MigrationInterface {
  name = 'ConsoleSessions1764000002301';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "console_session" (
        "id_hash" character(64) NOT NULL,
        "token_fingerprint" character varying(16) NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_console_session" PRIMARY KEY ("id_hash"))`);
    await queryRunner.query(`CREATE INDEX "IDX_console_session_expires_at" ON "console_session" ("expires_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "console_session"`);
  }
}
