import { Logger } from '@nestjs/common';
import { DataSource, MigrationExecutor, QueryRunner } from 'typeorm';
import { AppConfig, loadConfig } from '../config/app.config';
import { ADVISORY_LOCK_SPACE } from './advisory-locks';
import { dataSourceOptions } from './data-source-options';
import { DatabaseEndpoint, openDatabase } from './embedded-postgres';
import { MigrationContext, provideMigrationContext } from './migration-context';

export interface RunMigrationsOptions {
  /** What data migrations need of the configuration (see MigrationContext). */
  readonly context?: MigrationContext;
  /** Where the line goes when this process waits for another one's migrations (default: Nest's Logger). */
  readonly log?: (message: string) => void;
}

const LOCK = [ADVISORY_LOCK_SPACE.migrations, 0];
const LOCK_POLL_MS = 200;

/**
 * Applies pending migrations to the database at `url` (the embedded one's without DATABASE_URL), each in
 * its own transaction, holding a session-level advisory lock on the migrations' own connection. TypeORM
 * takes no lock: two processes starting together on a fresh database would both create the migrations
 * table, or both run a migration. With the lock, the second waits for the first, then finds nothing
 * pending. Every migration runs through this one runner, so `context` travels with it.
 */
export async function runMigrations(url: string, options: RunMigrationsOptions = {}): Promise<string[]> {
  const log = options.log ?? ((message: string) => new Logger('Migrations').log(message));
  const dataSource = new DataSource({ ...dataSourceOptions(url, 1), logging: false });
  await dataSource.initialize();
  // The one connection of a pool of one: the lock and every migration run on it.
  const connection = dataSource.createQueryRunner();
  try {
    await connection.connect();
    if (options.context) provideMigrationContext(connection, options.context);
    await lock(connection, log);
    try {
      const executor = new MigrationExecutor(dataSource, connection);
      executor.transaction = 'each';
      const applied = (await executor.executePendingMigrations()).map((migration) => migration.name);
      // Statistics for what the migrations wrote or rewrote: with autovacuum off nothing else gathers
      // them (and the statements on the hot path keep their plans without them: see docs/performance.md).
      if (applied.length > 0) await connection.query('ANALYZE');
      return applied;
    } finally {
      // A broken connection has lost its lock already; destroying the pool ends the session in any case.
      await connection.query(`SELECT pg_advisory_unlock($1, $2)`, LOCK).catch(() => undefined);
    }
  } finally {
    await connection.release();
    await dataSource.destroy();
  }
}

/**
 * Polls rather than waiting in `pg_advisory_lock`: a session waiting inside a statement holds a snapshot,
 * and a migration building an index CONCURRENTLY waits for every older snapshot in the database: the
 * two would wait for each other (PostgreSQL ends one with "deadlock detected").
 */
async function lock(connection: QueryRunner, log: (message: string) => void): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const [{ locked }] = await connection.query(`SELECT pg_try_advisory_lock($1, $2) AS locked`, LOCK);
    if (locked) return;
    if (attempt === 0) log('Another process is applying migrations to this database: waiting for it');
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

/** What the migrations need of the configuration: each listener's account. */
export function migrationContextOf(config: AppConfig): MigrationContext {
  return { listenerAccounts: new Map([...config.ipn.listeners.values()].map((listener) => [listener.name, listener.account])) };
}

async function main(): Promise<void> {
  const config = loadConfig({ IPN_SECRET_KEY: 'unused-by-migrations', ...process.env });
  const endpoint: DatabaseEndpoint = await openDatabase(config.database);
  try {
    const applied = await runMigrations(endpoint.url, {
      context: migrationContextOf(config),
      log: (message) => process.stderr.write(`${message}\n`),
    });
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations.\n');
  } finally {
    await endpoint.close();
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`Migrations failed: ${error.message}`);
    process.exit(1);
  });
}
