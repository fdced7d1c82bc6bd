import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the instances evaluating the alerts share (src/core/observability): the open episodes (an alert
 * firing since when), so that a change of evaluating instance raises no second alert for an episode; and
 * every instance's counts (notifications, refusals, receipt-time buckets) per flush, from which the
 * evaluating instance sums the refusal rate and the receipt p99 over ALERT_WINDOW. A few thousand rows
 * at most: older counts are deleted as new ones come.
 */
export class SharedAlertState1764000002400 implements MigrationInterface {
  name = 'SharedAlertState1764000002400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "alert_episode" (
      "alert" text NOT NULL,
      "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_alert_episode" PRIMARY KEY ("alert"))`);
    await queryRunner.query(`CREATE TABLE "alert_figure_count" (
      "figure" text NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "instance" uuid NOT NULL,
      "key" text NOT NULL,
      "count" bigint NOT NULL,
      CONSTRAINT "PK_alert_figure_count" PRIMARY KEY ("figure", "at", "instance", "key"))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "alert_figure_count"`);
    await queryRunner.query(`DROP TABLE "alert_episode"`);
  }
}
