import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** What one instance counted of one figure's key since its last flush. */
export interface FigureCount {
  readonly figure: string;
  readonly key: string;
  readonly count: number;
}

/** Every instance's counts per flush (alert_figure_count), stamped with the database's clock. */
@Injectable()
export class FigureCountsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One statement: this flush's rows in, and every instance's rows older than `keepMs` out. */
  async add(instance: string, counts: readonly FigureCount[], keepMs: number): Promise<void> {
    await this.dataSource.query(
      `WITH purged AS (DELETE FROM alert_figure_count WHERE at < now() - $5 * interval '1 millisecond')
       INSERT INTO alert_figure_count (instance, figure, key, count)
       SELECT $1::uuid, figure, key, count FROM unnest($2::text[], $3::text[], $4::bigint[]) AS c(figure, key, count)`,
      [instance, counts.map((c) => c.figure), counts.map((c) => c.key), counts.map((c) => c.count), keepMs],
    );
  }

  /** The figure's counts per key, summed over every instance's rows of the last `windowMs`. */
  async sum(figure: string, windowMs: number): Promise<Map<string, number>> {
    const rows: Array<{ key: string; count: number }> = await this.dataSource.query(
      `SELECT key, sum(count)::float8 AS count FROM alert_figure_count
       WHERE figure = $1 AND at > now() - $2 * interval '1 millisecond' GROUP BY key`,
      [figure, windowMs],
    );
    return new Map(rows.map((row) => [row.key, row.count]));
  }
}
