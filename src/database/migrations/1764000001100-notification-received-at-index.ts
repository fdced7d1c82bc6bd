import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox by arrival time: the console's recent list, its per-minute chart and replays of a time range
 * read it. Built CONCURRENTLY (outside a transaction) so ingestion goes on while a large inbox is indexed;
 * a build interrupted before it was recorded left an index that may be invalid, so it is dropped first.
 */
export class NotificationReceivedAtIndex1764000001100 implements MigrationInterface {
  name = 'NotificationReceivedAtIndex1764000001100';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "IDX_ipn_notification_received_at"`);
    await queryRunner.query(`CREATE INDEX CONCURRENTLY "IDX_ipn_notification_received_at" ON "ipn_notification" ("received_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_ipn_notification_received_at"`);
  }
}
