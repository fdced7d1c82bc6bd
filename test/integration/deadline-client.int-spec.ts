import { once } from 'node:events';
import { Client, Pool } from 'pg';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { DeadlineClient } from '../../src/database/deadline-client';
import { TcpProxy } from '../setup/tcp-proxy';
import { provisionTestDatabase } from '../setup/test-database';

/**
 * pg's query_timeout only stops waiting: the connection stays busy with the lost query. DeadlineClient
 * drops it instead, so nothing queued behind the lost query waits, and the server ends the session.
 */
let database: DatabaseEndpoint;
let proxy: TcpProxy;
let direct: Pool;

beforeAll(async () => {
  database = await provisionTestDatabase();
  proxy = TcpProxy.forUrl(database.url);
  await proxy.start();
  direct = new Pool({ connectionString: database.url, max: 1 });
});

afterAll(async () => {
  await proxy?.cut();
  await direct?.end();
  await database?.close();
});

afterEach(() => proxy.heal());

const QUERY_TIMEOUT_MS = 300;

async function connected(ClientClass: typeof Client): Promise<{ client: Client; pid: number }> {
  const client = new ClientClass({ connectionString: proxy.rewrite(database.url), query_timeout: QUERY_TIMEOUT_MS });
  client.on('error', () => undefined);
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { client, pid: rows[0].pid };
}

async function sessionAlive(pid: number): Promise<boolean> {
  const { rows } = await direct.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1`, [pid]);
  return rows.length > 0;
}

it('drops a connection whose query got no answer: what is queued behind fails at once, the server ends the session', async () => {
  const { client, pid } = await connected(DeadlineClient);
  await client.query('BEGIN');
  proxy.blackHole();
  const started = Date.now();
  await expect(client.query('SELECT 1')).rejects.toThrow('Query read timeout');
  expect(Date.now() - started).toBeLessThan(QUERY_TIMEOUT_MS + 1000);
  // The next borrower of this connection would have waited behind the lost query (and then run inside its transaction).
  await expect(client.query('SELECT 2')).rejects.toThrow(/Connection terminated|not queryable/);
  proxy.heal();
  for (let i = 0; i < 100 && (await sessionAlive(pid)); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await sessionAlive(pid)).toBe(false);
});

it('(pg alone keeps the connection, and the next query waits behind the lost one)', async () => {
  const { client, pid } = await connected(Client);
  proxy.blackHole();
  await expect(client.query('SELECT 1')).rejects.toThrow('Query read timeout');
  const next = client.query('SELECT 2').then(
    () => 'answered',
    (error: Error) => error.message,
  );
  const outcome = await Promise.race([next, new Promise((resolve) => setTimeout(() => resolve('still waiting'), QUERY_TIMEOUT_MS * 3))]);
  expect(outcome).toMatch(/still waiting|Query read timeout/);
  expect(await sessionAlive(pid)).toBe(true);
  proxy.heal();
  await next;
  const ended = once(client, 'end');
  await client.end();
  await ended;
});
