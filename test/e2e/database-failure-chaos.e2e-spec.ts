import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { fulfilmentProblems, lostReceipts, outboxDrained } from '../setup/fulfilment-check';
import { Delivery, NotificationLoad } from '../setup/notification-load';
import { TcpProxy } from '../setup/tcp-proxy';
import { provisionTestDatabase } from '../setup/test-database';

/**
 * The database fails under load, with the service's default time limits (DATABASE_CONNECT_TIMEOUT_MS
 * 3 s, DATABASE_STATEMENT_TIMEOUT_MS 5 s), through a TCP proxy in front of a real PostgreSQL:
 * a. cut while batches are committing (connections reset, new ones refused);
 * b. black-holed (nothing forwarded, nothing closed), then healed.
 * Each: answers are receipts or 503 DATABASE_UNAVAILABLE, never a hang; every receipt has its row;
 * the service recovers without a restart; once the platform has re-sent what got no receipt, every
 * order is fulfilled once. CHAOS=1 (npm run test:chaos): longer outages, several rounds.
 */
const CHAOS = Boolean(process.env.CHAOS);
const BLACK_HOLE_MS = CHAOS ? 30_000 : 8_000;
const ROUNDS = CHAOS ? 3 : 1;
/** The longest a request may wait for a 503: statement timeout (5 s) + 1 s client margin + slack for a loaded machine. */
const MAX_ANSWER_MS = 9_000;

jest.setTimeout(CHAOS ? 600_000 : 90_000);

let database: DatabaseEndpoint;
let proxy: TcpProxy;
let pool: Pool;
let t: TestApp;

beforeAll(async () => {
  database = await provisionTestDatabase();
  proxy = TcpProxy.forUrl(database.url);
  await proxy.start();
  t = await createTestApp({ ...database, url: proxy.rewrite(database.url) }, { OUTBOX_POLL_MS: '50', OUTBOX_BACKOFF_MS: '50' });
  // The checks read the database directly, not through the proxy.
  pool = new Pool({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await t?.close();
  await proxy?.cut();
  await pool?.end();
  await database?.close();
});

async function until(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Not within ${timeoutMs} ms: ${what}`);
    await sleep(10);
  }
}

const receiptsSince = (load: NotificationLoad, since: number) => load.deliveries.filter((d) => d.receipted && d.startedAt >= since).length;
const firstReceiptAfter = (load: NotificationLoad, since: number) =>
  Math.min(...load.deliveries.filter((d) => d.receipted && d.endedAt >= since).map((d) => d.endedAt)) - since;

/** After the outage: nothing receipted was lost, the rest is re-sent, and every order is fulfilled once. */
async function expectNothingLost(load: NotificationLoad): Promise<void> {
  expect(load.unexpected()).toEqual([]);
  expect(await lostReceipts(pool, load.receipted())).toEqual([]);
  await load.resendUnreceipted();
  await outboxDrained(pool, 60_000);
  expect(await fulfilmentProblems(pool, [...load.orders.values()])).toEqual([]);
}

it('a. cut mid-commit: 503 and no receipt for what was in flight, every receipt stored, recovery without restart', async () => {
  const load = new NotificationLoad(t.baseUrl, { concurrency: 16, label: 'cut' });
  const figures: string[] = [];
  load.start();
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      await until('receipts flowing', 20_000, () => receiptsSince(load, Date.now() - 200) >= 5);
      const cutAt = Date.now();
      await proxy.cut();
      await sleep(CHAOS ? 5_000 : 1_500);
      const inFlight = load.deliveries.filter((d) => d.startedAt < cutAt && d.endedAt >= cutAt && !d.receipted);
      await proxy.resume();
      const resumedAt = Date.now();
      await until('receipts again after the cut', 20_000, () => receiptsSince(load, resumedAt) >= 20);
      figures.push(`${inFlight.length} in flight at the cut got 503, receipts again ${firstReceiptAfter(load, resumedAt)} ms after`);
      // Requests whose batch was committing when the connections went: 503, no receipt.
      expect(inFlight.length).toBeGreaterThan(0);
      expect(inFlight.every((d) => d.status === 503 && d.code === 'DATABASE_UNAVAILABLE')).toBe(true);
    }
  } finally {
    await load.stop();
    load.close();
  }
  console.log(`cut: ${figures.join('; ')}; ${load.receipted().size} receipted in all`);
  const during = load.deliveries.filter((d) => d.status === 503);
  expect(during.length).toBeGreaterThan(0);
  expect(Math.max(...during.map((d) => d.endedAt - d.startedAt))).toBeLessThan(MAX_ANSWER_MS);
  await expectNothingLost(load);
});

it('b. black-holed: 503 within seconds (no hang, no receipt), recovery on its own once the database answers again', async () => {
  const load = new NotificationLoad(t.baseUrl, { concurrency: 16, label: 'hole' });
  const holes: Array<{ from: number; to: number }> = [];
  const recoveries: number[] = [];
  load.start();
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      await until('receipts flowing', 20_000, () => receiptsSince(load, Date.now() - 200) >= 5);
      const from = Date.now();
      proxy.blackHole();
      await sleep(BLACK_HOLE_MS);
      proxy.heal();
      const to = Date.now();
      holes.push({ from, to });
      await until('receipts again after the black hole', 30_000, () => receiptsSince(load, to) >= 20);
      recoveries.push(firstReceiptAfter(load, to));
    }
  } finally {
    await load.stop();
    load.close();
  }
  // Answered while the database was silent (a commit that returned just before it went silent aside).
  const within = (d: Delivery) => holes.some((hole) => d.endedAt >= hole.from + 1000 && d.endedAt < hole.to);
  const duringHole = load.deliveries.filter(within);
  // Whatever was answered while nothing reached the database got a 503, in time; none a receipt.
  expect(duringHole.length).toBeGreaterThan(0);
  expect(duringHole.filter((d) => d.receipted || d.status !== 503)).toEqual([]);
  const slowest = Math.max(...load.deliveries.map((d) => d.endedAt - d.startedAt));
  console.log(
    `black hole: ${duringHole.length} answered 503 during ${holes.length} x ${BLACK_HOLE_MS} ms; slowest answer ${slowest} ms; ` +
      `receipts again ${recoveries.join(', ')} ms after the database answered; ${load.receipted().size} receipted in all`,
  );
  expect(slowest).toBeLessThan(MAX_ANSWER_MS);
  await expectNothingLost(load);
});
