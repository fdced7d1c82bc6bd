import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DatabaseEndpoint, startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/**
 * A fresh, empty database for one test file: a new database on the server at DATABASE_URL when it is
 * set (dropped afterwards), otherwise a throw-away embedded PostgreSQL.
 */
export async function provisionTestDatabase(): Promise<DatabaseEndpoint> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return startEmbeddedPostgres('memory://', 12);
  const name = `ipn_test_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    close: async () => {
      await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
