import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ADVISORY_LOCK_SPACE } from '../../database/advisory-locks';
import { DeadlineClient } from '../../database/deadline-client';

export interface LeadershipOptions {
  readonly url: string;
  readonly connectMs: number;
  readonly statementMs: number;
  /** The server ends this connection after so long without a statement (PostgreSQL 14+). */
  readonly idleSessionMs: number;
}

/** The second key of an alert's advisory lock: the first 32 bits of its name's SHA-256. */
export function alertLockKey(alert: string): number {
  return createHash('sha256').update(alert, 'utf8').digest().readInt32BE(0);
}

/**
 * Which alerts this instance evaluates: those whose advisory lock it holds (one lock per alert, so an
 * alert registered by some instances only, such as the relay's, is evaluated by one of those), taken at
 * session level on a connection of its own, outside the pool. A lock goes with its session: at once when
 * the process exits or closes (the server sees the connection end), after `idleSessionMs` when it froze
 * or was cut off; another instance takes it at its next claim, within one interval.
 */
export class AlertLeadership {
  private readonly logger = new Logger('Alerts');
  private client: DeadlineClient | undefined;
  private connecting: Promise<DeadlineClient> | undefined;
  private readonly held = new Set<number>();

  constructor(private readonly options: LeadershipOptions) {}

  /**
   * Tries for the locks of `keys` not held yet and returns every key held now; the statement also proves
   * that the connection, and so the locks already held, are still there. Throws (holding nothing) when
   * the database cannot be reached.
   */
  async claim(keys: readonly number[]): Promise<ReadonlySet<number>> {
    const client = this.client ?? (await (this.connecting ??= this.connect().finally(() => (this.connecting = undefined))));
    const wanted = keys.filter((key) => !this.held.has(key));
    try {
      const { rows } = await client.query<{ key: number }>(
        `SELECT key FROM unnest($2::int4[]) AS key WHERE pg_try_advisory_lock($1::int4, key)`,
        [ADVISORY_LOCK_SPACE.alerts, wanted],
      );
      for (const { key } of rows) this.held.add(key);
      return new Set(this.held);
    } catch (error) {
      this.lost(client);
      void client.end().catch(() => undefined);
      throw error;
    }
  }

  /** Lets go of every lock (the session ends): the other instances take over at their next claim. */
  async release(): Promise<void> {
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    if (!client) return;
    this.lost(client);
    await client.end().catch(() => undefined);
  }

  private async connect(): Promise<DeadlineClient> {
    const { url, connectMs, statementMs, idleSessionMs } = this.options;
    const client = new DeadlineClient({
      connectionString: url,
      application_name: 'ipn-backend alerts',
      keepAlive: true,
      connectionTimeoutMillis: connectMs,
      statement_timeout: statementMs,
      query_timeout: statementMs + 1000,
    });
    // A connection that breaks takes its locks with it: hold none from then on.
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    await client.connect();
    try {
      await client.query(`SET idle_session_timeout = ${Math.round(idleSessionMs)}`);
    } catch (error) {
      this.logger.debug(`idle_session_timeout not set (PostgreSQL before 14?): ${(error as Error).message}`);
    }
    this.client = client;
    return client;
  }

  private lost(client: DeadlineClient): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.held.clear();
  }
}
