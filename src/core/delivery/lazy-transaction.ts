import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** TypeORM's PostgreSQL query runner: releasing with an error makes pg's pool destroy the connection. */
interface DisposableRunner {
  releasePostgresConnection(error: Error): Promise<void>;
}

/** Hands out at most `permits` at once; the rest wait in line. */
export class Semaphore {
  private readonly waiting: Array<() => void> = [];

  constructor(private permits: number) {}

  async acquire(): Promise<void> {
    if (this.permits > 0) {
      this.permits -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.permits += 1;
  }
}

/**
 * A transaction opened only when first asked for, on a connection counted against `connections` (so
 * that subscribers together never hold more than their share of the pool). `kill` ends its database
 * session from another connection: a delivery that overran its time limit releases its locks and its
 * connection even if its code never returns.
 */
export class LazyTransaction {
  private runner: QueryRunner | undefined;
  private opening: Promise<EntityManager> | undefined;
  private backendPid: number | undefined;
  private finished = false;
  private permit = false;
  private killed = false;
  private waited = 0;
  private waitingSince: number | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: Semaphore,
  ) {}

  get opened(): boolean {
    return this.opening !== undefined;
  }

  /**
   * Milliseconds spent so far waiting for a connection (a permit, then the pool), the wait under way
   * included: a delivery's time limit measures its own work, not the line behind other subscribers.
   */
  waitedMs(now = Date.now()): number {
    return this.waited + (this.waitingSince === undefined ? 0 : now - this.waitingSince);
  }

  manager(): Promise<EntityManager> {
    if (this.finished) return Promise.reject(new Error('This delivery is over: its transaction is closed'));
    this.opening ??= this.open();
    return this.opening;
  }

  async commit(): Promise<void> {
    if (!this.runner) return;
    try {
      await this.runner.commitTransaction();
    } finally {
      await this.close();
    }
  }

  async rollback(): Promise<void> {
    await this.close();
  }

  /** Ends the transaction's session from another connection, if it has one. */
  async kill(): Promise<void> {
    this.finished = true;
    this.killed = true;
    if (this.backendPid !== undefined)
      await this.dataSource.query('SELECT pg_terminate_backend($1)', [this.backendPid]).catch(() => undefined);
  }

  private async open(): Promise<EntityManager> {
    this.waitingSince = Date.now();
    await this.connections.acquire();
    this.permit = true;
    try {
      this.runner = this.dataSource.createQueryRunner();
      await this.runner.connect();
      this.waited += Date.now() - this.waitingSince;
      this.waitingSince = undefined;
      await this.runner.startTransaction();
      const [{ pid }] = await this.runner.query('SELECT pg_backend_pid() AS pid');
      this.backendPid = pid;
      // Given up while it was opening (its time ran out): never lend a transaction nobody will close.
      if (this.finished) throw new Error('This delivery is over: its transaction is closed');
      return this.runner.manager;
    } catch (error) {
      this.waitingSince = undefined;
      await this.dispose();
      throw error;
    }
  }

  /**
   * Ends the transaction. An opening still under way is waited for first: a connection released while
   * it is being connected would come back to the driver after its release, held for good.
   */
  private async close(): Promise<void> {
    this.finished = true;
    await this.opening?.catch(() => undefined);
    await this.dispose();
  }

  /** Rolls back what is still open (never returning a connection to the pool inside a transaction), releases it. */
  private async dispose(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    if (runner && this.killed) {
      // Its session was ended: the connection must leave the pool, not be lent to the next borrower.
      await (runner as unknown as DisposableRunner)
        .releasePostgresConnection(new Error('session ended at the time limit'))
        .catch(() => undefined);
    } else if (runner) {
      if (runner.isTransactionActive && !runner.isReleased) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release().catch(() => undefined);
    }
    if (this.permit) {
      this.permit = false;
      this.connections.release();
    }
  }
}
