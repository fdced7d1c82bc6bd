import type { DataSourceOptions } from 'typeorm';
import { DeadlineClient } from './deadline-client';
import { MIGRATIONS } from './migrations';

/** How long the app waits for the database before answering 503 (DATABASE_*_TIMEOUT_MS). */
export interface DatabaseTimeouts {
  /** A new connection, or a free one from a full pool. */
  readonly connectMs: number;
  /** One statement, counted by the server (`statement_timeout`); the client gives up a second later. */
  readonly statementMs: number;
}

/** Margin of the client's own timeout over the server's: a slow statement is cancelled by the server first. */
const CLIENT_MARGIN_MS = 1000;

/**
 * The one set of DataSource options, shared by the app (TypeOrmModule), ormconfig.ts and the
 * migration runner. Schema changes go through MIGRATIONS only; `synchronize` stays off.
 *
 * `timeouts` (the app's): a database that stops answering (host down, network black hole) costs a
 * request a few seconds and a 503, never a hang. Without them (migrations, the CLI), statements may run
 * as long as they need; connecting still gives up after 5 s.
 */
export function dataSourceOptions(url: string, poolSize: number, timeouts?: DatabaseTimeouts): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    // gen_random_uuid() is built into PostgreSQL 13+ and PGlite; uuid-ossp is not in PGlite.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    extra: {
      max: poolSize,
      // Fail fast when the database is unreachable, so the platform gets a 503 and retries.
      connectionTimeoutMillis: timeouts?.connectMs ?? 5000,
      idleTimeoutMillis: 30000,
      keepAlive: true,
      // No JIT compilation: the service's statements are short, and on tables without column statistics a
      // keyed batch lookup can be estimated past jit_above_cost, which then costs each call tens of ms of
      // compiling for a statement that runs in a fraction of one.
      options: '-c jit=off',
      ...(timeouts && {
        Client: DeadlineClient,
        // Server side: a statement running too long is cancelled (57014), and a session left idle
        // inside a transaction (its client gone silent) is ended, releasing its row locks (25P03).
        statement_timeout: timeouts.statementMs,
        idle_in_transaction_session_timeout: 2 * timeouts.statementMs,
        // Client side: no answer at all (the server, or the network to it, went silent).
        query_timeout: timeouts.statementMs + CLIENT_MARGIN_MS,
      }),
    },
  };
}
