import { AlertLeadership, alertLockKey } from '../../src/core/observability/alert-leadership';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TcpProxy } from '../setup/tcp-proxy';
import { provisionTestDatabase, withClient } from '../setup/test-database';

/** Two instances contending for the alerts' advisory locks on one real PostgreSQL. */

const KEY = alertLockKey('refusal_rate');
const OTHER = alertLockKey('dead_letters');
const IDLE_SESSION_MS = 1000;

let database: DatabaseEndpoint;
let proxy: TcpProxy;
const opened: AlertLeadership[] = [];

beforeAll(async () => {
  database = await provisionTestDatabase();
  proxy = TcpProxy.forUrl(database.url);
  await proxy.start();
});

afterEach(async () => {
  proxy.heal();
  await Promise.all(opened.splice(0).map((leadership) => leadership.release()));
});

afterAll(async () => {
  await proxy?.cut();
  await database?.close();
});

/** `idleSessionMs` short for the instance under test; the others claim rarely here, unlike every interval. */
function instance(url = database.url, idleSessionMs = 60_000): AlertLeadership {
  const leadership = new AlertLeadership({ url, connectMs: 1000, statementMs: 500, idleSessionMs });
  opened.push(leadership);
  return leadership;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

it('gives each lock to one instance; one closing hands its locks to the next to claim', async () => {
  const a = instance();
  const b = instance();
  expect([...(await a.claim([KEY]))]).toEqual([KEY]);
  expect([...(await b.claim([KEY, OTHER]))]).toEqual([OTHER]);
  // Claiming again keeps what is held and takes nothing from the other.
  expect([...(await a.claim([KEY, OTHER]))]).toEqual([KEY]);
  expect([...(await b.claim([KEY, OTHER]))]).toEqual([OTHER]);

  await a.release();
  expect([...(await b.claim([KEY, OTHER]))].sort()).toEqual([KEY, OTHER].sort());
});

it('claims no stacked locks: one release lets go of a lock claimed many times', async () => {
  const a = instance();
  for (let i = 0; i < 5; i++) await a.claim([KEY]);
  const { rows } = await withClient(database.url, (client) =>
    // This database's locks only: other test files' apps on the same server claim the same keys.
    client.query(
      `SELECT count(*)::int AS n FROM pg_locks
       WHERE locktype = 'advisory' AND objid = $1::oid AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [KEY >>> 0],
    ),
  );
  expect(rows).toEqual([{ n: 1 }]);
  await a.release();
  expect([...(await instance().claim([KEY]))]).toEqual([KEY]);
});

it('replaces an instance cut off silently once its session times out, and one whose session ended at once', async () => {
  const broken = instance(proxy.rewrite(database.url), IDLE_SESSION_MS);
  const b = instance();
  expect([...(await broken.claim([KEY]))]).toEqual([KEY]);
  expect([...(await b.claim([KEY]))]).toEqual([]);

  // A host gone silent (frozen, or the network cut without a reset): the server ends its idle session.
  proxy.blackHole();
  await sleep(IDLE_SESSION_MS + 500);
  expect([...(await b.claim([KEY]))]).toEqual([KEY]);
  // The silent one finds out at its next claim: no answer, and it holds nothing.
  await expect(broken.claim([KEY])).rejects.toThrow();
  proxy.heal();
  expect([...(await broken.claim([KEY]))]).toEqual([]);

  // A process that exits: its connection closes, and the lock goes with it.
  await b.release();
  expect([...(await broken.claim([KEY]))]).toEqual([KEY]);
  await withClient(database.url, (client) =>
    client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ipn-backend alerts' AND datname = current_database()`,
    ),
  );
  await sleep(200);
  const c = instance();
  expect([...(await c.claim([KEY]))]).toEqual([KEY]);
  await expect(broken.claim([KEY])).resolves.toEqual(new Set());
});
