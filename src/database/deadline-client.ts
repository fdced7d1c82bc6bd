import { Client, ClientConfig } from 'pg';

/** The message pg rejects a query with when `query_timeout` passes without an answer. */
export const QUERY_READ_TIMEOUT = 'Query read timeout';

/**
 * A pg client that is dropped, not reused, once a query got no answer within `query_timeout`. pg's own
 * timeout only stops waiting: the connection stays busy with the lost query (a database that stopped
 * answering), every later query queued on it waits too, and if the network heals, the lost query
 * finishes inside whatever the next borrower of the connection runs. Destroying the socket fails what
 * is queued on it at once and makes the pool discard it (the server rolls its transaction back when it
 * sees the connection close).
 */
export class DeadlineClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((...args: unknown[]) => {
      const result = query(...args);
      if (result instanceof Promise) result.catch((error: unknown) => this.dropIfLost(error));
      return result;
    }) as Client['query'];
  }

  private dropIfLost(error: unknown): void {
    if ((error as Error | undefined)?.message !== QUERY_READ_TIMEOUT) return;
    (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  }
}
