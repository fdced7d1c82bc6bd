import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refusals beyond the sample are counted in one row per (kind, listener, reason, minute) instead of one
 * per (address, reason, minute), so that a flood from many addresses costs a few rows a minute. The
 * existing counter rows of a minute are merged (their address kept when they share one).
 */
export class RefusalsCountedPerReason1764000002200 implements MigrationInterface {
  name = 'RefusalsCountedPerReason1764000002200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "UQ_ipn_rejection_counted"`);
    await queryRunner.query(`
      WITH counted AS (DELETE FROM "ipn_rejection" WHERE sampled = false RETURNING *)
      INSERT INTO "ipn_rejection" (kind, listener, reason, detail, remote_address, body_bytes, sampled, count, received_at, last_received_at)
      SELECT kind, listener, reason, min(detail),
             CASE WHEN count(DISTINCT remote_address) = 1 AND count(remote_address) = count(*) THEN min(remote_address) END,
             max(body_bytes), false, sum(count), received_at, max(last_received_at)
      FROM counted GROUP BY kind, listener, reason, received_at`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX "UQ_ipn_rejection_counted" ON "ipn_rejection" ("kind", "listener", "reason", "received_at")
      WHERE sampled = false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Rows merged across addresses cannot be split again: they stay merged, their address null.
    await queryRunner.query(`DROP INDEX "UQ_ipn_rejection_counted"`);
    await queryRunner.query(`
      WITH counted AS (DELETE FROM "ipn_rejection" WHERE sampled = false RETURNING *)
      INSERT INTO "ipn_rejection" (kind, listener, reason, detail, remote_address, body_bytes, sampled, count, received_at, last_received_at)
      SELECT min(kind), min(listener), reason, min(detail), remote_address, max(body_bytes), false, sum(count), received_at,
             max(last_received_at)
      FROM counted GROUP BY remote_address, reason, received_at`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX "UQ_ipn_rejection_counted" ON "ipn_rejection" ("remote_address", "reason", "received_at")
      WHERE sampled = false`);
  }
}
