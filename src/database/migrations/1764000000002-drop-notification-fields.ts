import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox keeps the raw body only: the decoded fields were a second copy of it, written on every
 * notification (about an eighth of ingest throughput) and read only by the admin API, which now
 * decodes the raw body when asked.
 */
export class DropNotificationFields1764000000002 implements MigrationInterface {
  name = 'DropNotificationFields1764000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ipn_notification" DROP COLUMN "fields"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Rows stored meanwhile have no decoded copy; the raw body remains the record.
    await queryRunner.query(`ALTER TABLE "ipn_notification" ADD "fields" jsonb NOT NULL DEFAULT '{}'`);
  }
}
