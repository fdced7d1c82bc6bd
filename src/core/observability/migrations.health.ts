import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../database/migrations';

/** Whether every migration this build knows has been run on the database it talks to. */
@Injectable()
export class MigrationsHealthIndicator {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key: 'migrations', timeoutMs: number) {
    const indicator = this.health.check(key);
    const table = this.dataSource.options.migrationsTableName ?? 'migrations';
    try {
      const rows: Array<{ name: string }> = await withTimeout(this.dataSource.query(`SELECT name FROM "${table}"`), timeoutMs);
      const executed = new Set(rows.map((row) => row.name));
      const pending = MIGRATIONS.map((migration) => migration.name).filter((name) => !executed.has(name));
      if (pending.length > 0) return indicator.down({ message: `${pending.length} migration(s) not applied`, pending });
      return indicator.up({ applied: MIGRATIONS.length });
    } catch (error) {
      return indicator.down({ message: `could not read the executed migrations: ${(error as Error).message}` });
    }
  }
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
