import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * The open alert episodes, shared by every instance. Opening and closing are conditional statements:
 * whoever evaluates, only the one whose statement changed the row raises the notice.
 */
@Injectable()
export class AlertEpisodesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Firing alerts: name -> when the episode began (ISO). */
  async open(): Promise<Map<string, string>> {
    const rows: Array<{ alert: string; started_at: Date }> = await this.dataSource.query(`SELECT alert, started_at FROM alert_episode`);
    return new Map(rows.map((row) => [row.alert, row.started_at.toISOString()]));
  }

  /** Opens the alert's episode; false when one was open already. */
  async begin(alert: string, startedAt: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO alert_episode (alert, started_at) VALUES ($1, $2) ON CONFLICT (alert) DO NOTHING RETURNING alert`,
      [alert, startedAt],
    );
    return rows.length === 1;
  }

  /** Closes the alert's episode; returns when it began, undefined when none was open. */
  async end(alert: string): Promise<string | undefined> {
    const [rows]: [Array<{ started_at: Date }>, number] = await this.dataSource.query(
      `DELETE FROM alert_episode WHERE alert = $1 RETURNING started_at`,
      [alert],
    );
    return rows[0]?.started_at.toISOString();
  }
}
