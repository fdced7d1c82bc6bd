import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventSubscriber, Subscriber, SubscriberContext } from '../../src/core/delivery';
import type { EventOf } from '../../src/core/events';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { FulfillmentGrantedEvent } from '../../src/modules/fulfillment';
import { OrderCompletedEvent, OrderPlacedEvent } from '../../src/modules/orders';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { newOrder, sendStatus } from '../setup/lifecycle';
import { stallingServer } from '../setup/smtp';
import { provisionTestDatabase } from '../setup/test-database';

const POOL = 8;
/** More hanging subscribers than the pool has connections. */
const HANGERS = POOL + 2;
const TIMEOUT_MS = 700;

type Watched = EventOf<typeof OrderPlacedEvent> | EventOf<typeof OrderCompletedEvent> | EventOf<typeof FulfillmentGrantedEvent>;
const WATCHED = [OrderPlacedEvent, OrderCompletedEvent, FulfillmentGrantedEvent] as const;

const state = { broken: true, hanging: true };

/** Each subscriber records what it took, through its own transaction: its writes commit with its progress. */
async function record(name: string, events: readonly Watched[], context: SubscriberContext): Promise<void> {
  const manager = await context.manager();
  await manager.query(
    `INSERT INTO subscriber_effect (subscriber, event_id, name, order_ref) SELECT $1, e.id, e.name, e.ref
     FROM json_to_recordset($2::json) AS e(id uuid, name text, ref text)`,
    [name, JSON.stringify(events.map((event) => ({ id: event.eventId, name: event.name, ref: event.orderRef })))],
  );
}

@Subscriber({ name: 'test.healthy', from: 'beginning' }, ...WATCHED)
class Healthy implements EventSubscriber<Watched> {
  handle(events: readonly Watched[], context: SubscriberContext) {
    return record('test.healthy', events, context);
  }
}

/** Writes, then throws while broken: none of its writes may stay. */
@Subscriber({ name: 'test.thrower', from: 'beginning' }, ...WATCHED)
class Thrower implements EventSubscriber<Watched> {
  async handle(events: readonly Watched[], context: SubscriberContext) {
    await record('test.thrower', events, context);
    if (state.broken) throw new Error('the thrower is broken');
  }
}

/** Opens its transaction, then never answers while hanging (a promise that never settles). */
function hanger(index: number) {
  const name = `test.hanger-${index}`;
  @Subscriber({ name, from: 'beginning' }, ...WATCHED)
  class Hanger implements EventSubscriber<Watched> {
    async handle(events: readonly Watched[], context: SubscriberContext) {
      await record(name, events, context);
      if (state.hanging) await new Promise(() => undefined);
    }
  }
  return Hanger;
}

@Module({ providers: [Healthy, Thrower, ...Array.from({ length: HANGERS }, (_, i) => hanger(i))] })
class SubscribersModule {}

let database: DatabaseEndpoint;
let t: TestApp;
let db: DataSource;
let stalled: Awaited<ReturnType<typeof stallingServer>>;

beforeAll(async () => {
  database = await provisionTestDatabase();
  stalled = await stallingServer();
  t = await createTestApp(
    database,
    {
      DATABASE_POOL_SIZE: String(POOL),
      SUBSCRIBER_TIMEOUT_MS: String(TIMEOUT_MS),
      OUTBOX_POLL_MS: '50',
      OUTBOX_BACKOFF_MS: '200',
      OUTBOX_MAX_ATTEMPTS: '100',
      // A mail server that accepts and never answers, at the same time.
      SMTP_URL: `smtp://127.0.0.1:${stalled.port}`,
      SMTP_TIMEOUT_MS: '1000',
      TEST_ORDERS_SEND_MAIL: 'true',
    },
    [SubscribersModule],
  );
  db = t.app.get(DataSource);
  await db.query(
    `CREATE TABLE subscriber_effect (subscriber text NOT NULL, event_id uuid NOT NULL, name text, order_ref text, n bigserial)`,
  );
});

afterAll(async () => {
  await stalled?.close();
  await t?.close();
  await database?.close();
});

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** Per subscriber, each order's events in the order it took them. */
async function taken(subscriber: string): Promise<Map<string, string[]>> {
  const rows: Array<{ order_ref: string; name: string }> = await db.query(
    `SELECT order_ref, name FROM subscriber_effect WHERE subscriber = $1 ORDER BY n`,
    [subscriber],
  );
  const byOrder = new Map<string, string[]>();
  for (const row of rows) byOrder.set(row.order_ref, [...(byOrder.get(row.order_ref) ?? []), row.name]);
  return byOrder;
}

const EXPECTED = ['order.placed', 'order.completed', 'fulfillment.granted'];

it('keeps a throwing subscriber, hanging ones (more than the pool) and a silent mail server from holding anything back', async () => {
  const orders = Array.from({ length: 30 }, () => newOrder());
  const sentAt = new Map<string, number>();
  await Promise.all(
    orders.map(async (order) => {
      await sendStatus(t, order, 'COMPLETE');
      sentAt.set(order.refNo, Date.now());
    }),
  );
  // Orders, entitlements: within the usual time, for every order.
  await until(
    'every order fulfilled',
    async () => {
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM entitlement WHERE status = 'granted' AND ref_no = ANY($1)`, [
        orders.map((order) => order.refNo),
      ]);
      return n === orders.length * 2;
    },
    5000,
  );
  // The healthy subscriber gets every event, each once, an order's in the order raised.
  await until(
    'the healthy subscriber',
    async () => [...(await taken('test.healthy')).values()].flat().length === orders.length * 3,
    30_000,
  );
  const healthy = await taken('test.healthy');
  for (const order of orders) expect(healthy.get(order.refNo)).toEqual(EXPECTED);
  // The broken ones left nothing behind them.
  expect((await taken('test.thrower')).size).toBe(0);
  for (let i = 0; i < HANGERS; i++) expect((await taken(`test.hanger-${i}`)).size).toBe(0);
  // A hanging subscriber's session is ended at its time limit: no transaction outlives it for long.
  const [{ stale }] = await db.query(
    `SELECT count(*)::int AS stale FROM pg_stat_activity WHERE datname = current_database()
       AND state LIKE 'idle in transaction%' AND now() - xact_start > $1 * interval '1 millisecond'`,
    [TIMEOUT_MS * 4],
  );
  expect(stale).toBe(0);
  // The mail server is silent: nothing was sent, and that held nothing up either.
  const [{ sent }] = await db.query(`SELECT count(*)::int AS sent FROM engagement WHERE delivery = 'sent'`);
  expect(sent).toBe(0);

  // Their failures are on record, each under its own name: the thrower's error, the hangers' time limit.
  const failures = async () => {
    const rows: Array<{ target: string; last_error: string }> = await db.query(
      `SELECT DISTINCT ON (target) target, last_error FROM delivery_item WHERE channel = 'subscriber' AND last_error IS NOT NULL`,
    );
    return new Map(rows.map((row) => [row.target, row.last_error]));
  };
  await until("every broken subscriber's failure on record", async () => (await failures()).size >= 1 + HANGERS, 10_000);
  const byTarget = await failures();
  expect(byTarget.get('subscriber:test.thrower')).toMatch(/the thrower is broken/);
  for (let i = 0; i < HANGERS; i++) expect(byTarget.get(`subscriber:test.hanger-${i}`)).toMatch(/took longer than 700 ms/);
  expect(byTarget.has('subscriber:test.healthy')).toBe(false);

  // Fixed: the others catch up, in order, each event once in effect.
  state.broken = false;
  state.hanging = false;
  for (const name of ['test.thrower', ...Array.from({ length: HANGERS }, (_, i) => `test.hanger-${i}`)]) {
    await until(name, async () => [...(await taken(name)).values()].flat().length >= orders.length * 3, 60_000);
  }
  await new Promise((done) => setTimeout(done, 500));
  for (const name of ['test.thrower', ...Array.from({ length: HANGERS }, (_, i) => `test.hanger-${i}`)]) {
    const got = await taken(name);
    for (const order of orders) expect([name, got.get(order.refNo)]).toEqual([name, EXPECTED]);
  }
}, 120_000);
