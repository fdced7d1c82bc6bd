import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface DatabaseEndpoint {
  readonly url: string;
  /** The most connections the pool may open; unset: the configured pool size. */
  readonly maxPoolSize?: number;
  close(): Promise<void>;
}

/**
 * PostgreSQL compiled to WebAssembly (PGlite), served on a loopback port so that the same `pg`
 * driver, pool and migrations work against it. PGlite is one session. The socket server can multiplex
 * several connections onto it, but it interleaves the messages of concurrent extended-protocol queries
 * outside a transaction (one connection's unnamed portal clobbers another's: "portal does not exist"),
 * so the app's pool uses a single connection here. The spare connections are for tools and tests.
 *
 * `dataDir` is a folder (created if missing), or `memory://` for a throw-away database.
 */
export async function startEmbeddedPostgres(dataDir: string, maxConnections: number): Promise<DatabaseEndpoint> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgres://postgres@${address}/postgres`,
    maxPoolSize: 1,
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/** The configured PostgreSQL, or the embedded one when no URL is given. */
export async function openDatabase(database: {
  url: string | undefined;
  dataDir: string;
  poolSize: number;
}): Promise<DatabaseEndpoint> {
  if (database.url) return { url: database.url, close: async () => undefined };
  return startEmbeddedPostgres(database.dataDir, 4);
}
