import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { EMBEDDED_SERVER_URL } from './embedded-server';

/**
 * A fresh, empty database for one test file, dropped afterwards: on the server at DATABASE_URL when it
 * is set, otherwise on the embedded PostgreSQL that jest's globalSetup started for the whole run.
 */
export async function provisionTestDatabase(): Promise<DatabaseEndpoint> {
  const serverUrl = process.env.DATABASE_URL || process.env[EMBEDDED_SERVER_URL];
  if (!serverUrl) throw new Error('No PostgreSQL for the tests: run them with jest (its globalSetup starts one), or set DATABASE_URL');
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
