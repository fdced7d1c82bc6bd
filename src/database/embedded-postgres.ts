import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface DatabaseEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * PostgreSQL compiled to WebAssembly (PGlite), served on a loopback port so that the same `pg`
 * driver, pool and migrations work against it. PGlite is one session; the socket server multiplexes
 * the pool's connections onto it and keeps a transaction's statements together.
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
  // One spare connection above the pool, for the migration run and the CLI.
  return startEmbeddedPostgres(database.dataDir, database.poolSize + 2);
}
