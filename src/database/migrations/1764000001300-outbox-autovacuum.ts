import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox is a queue: every event is inserted, updated once when settled (not a HOT update: the
 * status is in its partial indexes) and deleted by retention, so dead rows pile up ~2 per event.
 * PostgreSQL's default (vacuum at 20% dead) lets such a table grow for minutes at a time under load;
 * vacuuming at 2% keeps it at the size of what is retained.
 */
export class OutboxAutovacuum1764000001300 implements MigrationInterface {
  name = 'OutboxAutovacuum1764000001300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "outbox_event" SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 1)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "outbox_event" RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_vacuum_cost_delay)`,
    );
  }
}
