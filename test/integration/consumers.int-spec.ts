import { Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Consumer, ConsumerContext, EventConsumer, OutboxRepository, OutboxRetention } from '../../src/core/events';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { IpnReceivedEvent } from '../../src/modules/ipn';
import { OrderCompletedEvent } from '../../src/modules/orders';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { admin, drained, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';

/**
 * The consumer machinery itself (issue #8): unique consumer names at boot, retention of delivered
 * events, and a consumer's writes belonging to the delivery transaction.
 */

// ---------------------------------------------------------------------------------------------------
// Two providers named alike. The first one keeps the app's DataSource, so the half-built app's pool can
// be closed once start-up has been refused.
let twinsDataSource: DataSource | undefined;

@Consumer('test.twin', IpnReceivedEvent)
class FirstTwin implements EventConsumer<IpnReceivedEvent> {
  constructor(@InjectDataSource() dataSource: DataSource) {
    twinsDataSource = dataSource;
  }
  async handle(): Promise<void> {}
}

@Consumer('test.twin', OrderCompletedEvent)
class SecondTwin implements EventConsumer<OrderCompletedEvent> {
  async handle(): Promise<void> {}
}

@Module({ providers: [FirstTwin, SecondTwin] })
class TwinsModule {}

// ---------------------------------------------------------------------------------------------------
// Consumers that write through the delivery transaction, then (for some orders) throw.

/** Sees every stored IPN after the order stage: writes a probe row for each, then fails for `failing` orders. */
@Consumer('test.write-then-throw', IpnReceivedEvent)
class WriteThenThrow implements EventConsumer<IpnReceivedEvent> {
  static readonly failing = new Set<string>();
  /** Per order: how many times its probe row was written and seen inside the transaction before a throw. */
  static readonly writtenBeforeThrow = new Map<string, number>();

  async handle(events: readonly IpnReceivedEvent[], { manager }: ConsumerContext): Promise<void> {
    for (const event of events) {
      await manager.query(`INSERT INTO consumer_probe (ref_no, consumer) VALUES ($1, 'write-then-throw')`, [event.orderRef]);
    }
    const doomed = events.find((event) => WriteThenThrow.failing.has(event.orderRef ?? ''));
    if (!doomed) return;
    // The write is real (visible inside the transaction) before the failure.
    const [{ n }] = await manager.query(`SELECT count(*)::int AS n FROM consumer_probe WHERE ref_no = $1`, [doomed.orderRef]);
    if (n > 0) WriteThenThrow.writtenBeforeThrow.set(doomed.orderRef!, (WriteThenThrow.writtenBeforeThrow.get(doomed.orderRef!) ?? 0) + 1);
    throw new Error(`probe refused ${doomed.orderRef}`);
  }
}

/** Two generations down the chain (order.completed): writes a probe row, then fails for `failing` orders. */
@Consumer('test.write-then-throw-later', OrderCompletedEvent)
class WriteThenThrowLater implements EventConsumer<OrderCompletedEvent> {
  static readonly failing = new Set<string>();
  static calls = 0;

  async handle(events: readonly OrderCompletedEvent[], { manager }: ConsumerContext): Promise<void> {
    for (const event of events) {
      await manager.query(`INSERT INTO consumer_probe (ref_no, consumer) VALUES ($1, 'write-then-throw-later')`, [event.orderRef]);
    }
    const doomed = events.find((event) => WriteThenThrowLater.failing.has(event.orderRef ?? ''));
    if (doomed) {
      WriteThenThrowLater.calls += 1;
      throw new Error(`late probe refused ${doomed.orderRef}`);
    }
  }
}

@Module({ providers: [WriteThenThrow, WriteThenThrowLater] })
class ProbeModule {}

// ---------------------------------------------------------------------------------------------------

let database: DatabaseEndpoint;
let t: TestApp;
let db: DataSource;

const RETENTION = '3d';
const MAX_ATTEMPTS = 3;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(
    database,
    { OUTBOX_POLL_MS: '20', OUTBOX_BACKOFF_MS: '20', OUTBOX_MAX_ATTEMPTS: String(MAX_ATTEMPTS), EVENT_RETENTION: RETENTION },
    [ProbeModule],
  );
  db = t.app.get(DataSource);
  await db.query(`CREATE TABLE consumer_probe (id serial PRIMARY KEY, ref_no text NOT NULL, consumer text NOT NULL)`);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

describe('consumer names', () => {
  it('refuses to start when two providers share a @Consumer name, naming the name', async () => {
    const own = await provisionTestDatabase();
    try {
      await expect(createTestApp(own, {}, [TwinsModule])).rejects.toThrow(
        /"test\.twin".*FirstTwin.*SecondTwin|"test\.twin".*SecondTwin.*FirstTwin/,
      );
    } finally {
      // Start-up failed after the pool was opened: close it, then drop the database.
      await twinsDataSource?.destroy().catch(() => undefined);
      await own.close();
    }
  });
});

describe('a consumer’s writes share the delivery transaction', () => {
  const probes = async (refNo: string) =>
    (await db.query(`SELECT consumer FROM consumer_probe WHERE ref_no = $1 ORDER BY consumer`, [refNo])).map((row: any) => row.consumer);

  const receivedEvent = async (refNo: string) =>
    (
      await db.query(`SELECT status, attempts, last_error FROM outbox_event WHERE name = 'ipn.received' AND payload->>'orderRef' = $1`, [
        refNo,
      ])
    )[0];

  it('leaves no row of a consumer that wrote it and then threw, nor any other effect of the chain', async () => {
    const doomed = newOrder();
    const healthy = newOrder();
    WriteThenThrow.failing.add(doomed.refNo);
    // Sent together, so they may share a delivery batch: the failure must not take the healthy order's rows along.
    await Promise.all([sendStatus(t, doomed, 'COMPLETE'), sendStatus(t, healthy, 'COMPLETE')]);
    await drained(t);

    const dead = await receivedEvent(doomed.refNo);
    expect(dead).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS });
    expect(dead.last_error).toBe(`test.write-then-throw: probe refused ${doomed.refNo}`);
    // Every attempt wrote its row (seen inside the transaction) before throwing...
    expect(WriteThenThrow.writtenBeforeThrow.get(doomed.refNo)).toBeGreaterThanOrEqual(MAX_ATTEMPTS);
    // ... and none of them is left, nor any other work of the same chain (the order stage's).
    expect(await probes(doomed.refNo)).toEqual([]);
    expect((await admin(t, `/api/orders/${doomed.refNo}`)).status).toBe(404);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM entitlement WHERE ref_no = $1`, [doomed.refNo]);
    expect(n).toBe(0);

    // The healthy order's row is there exactly once, with the rest of its chain.
    expect(await receivedEvent(healthy.refNo)).toMatchObject({ status: 'delivered' });
    expect(await probes(healthy.refNo)).toEqual(['write-then-throw', 'write-then-throw-later']);
    const view = (await admin(t, `/api/orders/${healthy.refNo}`)).body;
    expect(view.status).toBe('COMPLETE');
    expect(view.fulfillments.map((f: any) => f.status)).toEqual(['granted', 'granted']);
  });

  it('rolls back the whole chain when a consumer two generations down writes and throws', async () => {
    const doomed = newOrder();
    WriteThenThrowLater.failing.add(doomed.refNo);
    const callsBefore = WriteThenThrowLater.calls;
    await sendStatus(t, doomed, 'COMPLETE');
    await drained(t);

    expect(WriteThenThrowLater.calls - callsBefore).toBeGreaterThanOrEqual(MAX_ATTEMPTS);
    const dead = await receivedEvent(doomed.refNo);
    expect(dead).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS });
    expect(dead.last_error).toBe(`test.write-then-throw-later: late probe refused ${doomed.refNo}`);
    // Neither its own row, nor the first generation's probe, nor the order, nor its events were kept.
    expect(await probes(doomed.refNo)).toEqual([]);
    expect((await admin(t, `/api/orders/${doomed.refNo}`)).status).toBe(404);
    // No event of the chain was recorded either (a settled delivery records the events it raised).
    const [{ logged: before }] = await db.query(`SELECT count(*)::int AS logged FROM event_log WHERE order_ref = $1`, [doomed.refNo]);
    expect(before).toBe(0);

    // Once the consumer is fixed and the dead letter retried, every effect is there once.
    WriteThenThrowLater.failing.delete(doomed.refNo);
    const [letter] = await db.query(`SELECT id FROM outbox_event WHERE name = 'ipn.received' AND payload->>'orderRef' = $1`, [
      doomed.refNo,
    ]);
    expect((await admin(t, `/api/events/${letter.id}/retry`, 'POST')).status).toBe(200);
    await drained(t);
    expect(await probes(doomed.refNo)).toEqual(['write-then-throw', 'write-then-throw-later']);
    expect((await admin(t, `/api/orders/${doomed.refNo}`)).body.fulfillments.map((f: any) => f.status)).toEqual(['granted', 'granted']);
    const logged = await db.query(`SELECT name FROM event_log WHERE chain_id = $1`, [letter.id]);
    expect(logged.map((row: { name: string }) => row.name)).toContain('order.completed');
  });
});

describe('retention of delivered events (EVENT_RETENTION)', () => {
  const OLD = 2500;
  const RECENT = 300;
  const KEPT_OTHERS = 40;

  async function countsByName(): Promise<Record<string, number>> {
    const rows = await db.query(`SELECT name, count(*)::int AS n FROM outbox_event WHERE name LIKE 'test.retention.%' GROUP BY name`);
    return Object.fromEntries(rows.map((row: any) => [row.name, row.n]));
  }

  it('deletes only delivered events older than the window, in batches of at most 1,000', async () => {
    const insert = (name: string, count: number, status: string, deliveredAgo: string | null, extra = '') =>
      db.query(
        `INSERT INTO outbox_event (id, name, version, payload, status, delivered_at, created_at, next_attempt_at${extra ? ', attempts, last_error' : ''})
         SELECT gen_random_uuid(), $1, 1, jsonb_build_object('name', $1::text, 'seq', g), $3,
           CASE WHEN $4::interval IS NULL THEN NULL ELSE now() - $4::interval - g * interval '1 second' END,
           now() - interval '30 days', now() + interval '1 day'${extra}
         FROM generate_series(1, $2::int) AS g`,
        [name, count, status, deliveredAgo],
      );
    // Delivered just past the 3-day window (by an hour and more), and delivered inside it (an hour short).
    await insert('test.retention.old', OLD, 'delivered', '3 days 1 hour');
    await insert('test.retention.recent', RECENT, 'delivered', '2 days 23 hours');
    // Pending (a retry due tomorrow) and dead letters, all created a month ago, half of them even carrying
    // an old delivered_at: the status, not the time, keeps them.
    await insert('test.retention.pending', KEPT_OTHERS / 2, 'pending', null, `, 2, 'boom'`);
    await insert('test.retention.pending-stamped', KEPT_OTHERS / 2, 'pending', '20 days', `, 2, 'boom'`);
    await insert('test.retention.dead', KEPT_OTHERS / 2, 'dead', null, `, ${MAX_ATTEMPTS}, 'boom'`);
    await insert('test.retention.dead-stamped', KEPT_OTHERS / 2, 'dead', '20 days', `, ${MAX_ATTEMPTS}, 'boom'`);
    // The pipeline's own, recent events (from the tests above) must survive too.
    const [{ n: pipelineBefore }] = await db.query(`SELECT count(*)::int AS n FROM outbox_event WHERE name NOT LIKE 'test.retention.%'`);
    expect(pipelineBefore).toBeGreaterThan(0);

    const repository = t.app.get(OutboxRepository);
    const purge = jest.spyOn(repository, 'purgeDelivered');
    try {
      const deleted = await t.app.get(OutboxRetention).purgeOnce();
      expect(deleted).toBe(OLD);
      expect(await countsByName()).toEqual({
        'test.retention.recent': RECENT,
        'test.retention.pending': KEPT_OTHERS / 2,
        'test.retention.pending-stamped': KEPT_OTHERS / 2,
        'test.retention.dead': KEPT_OTHERS / 2,
        'test.retention.dead-stamped': KEPT_OTHERS / 2,
      });
      // In batches: several statements, none deleting more than 1,000 rows.
      const results = await Promise.all(purge.mock.results.map((result) => result.value as Promise<number>));
      expect(purge.mock.calls.length).toBeGreaterThanOrEqual(Math.ceil(OLD / 1000));
      for (const [, limit] of purge.mock.calls) expect(limit).toBeLessThanOrEqual(1000);
      for (const count of results) expect(count).toBeLessThanOrEqual(1000);
      expect(results.reduce((sum, count) => sum + count, 0)).toBe(OLD);
      const [{ n: pipelineAfter }] = await db.query(`SELECT count(*)::int AS n FROM outbox_event WHERE name NOT LIKE 'test.retention.%'`);
      expect(pipelineAfter).toBe(pipelineBefore);

      // Nothing more to delete now; two hours later the "recent" ones have left the window as well.
      expect(await t.app.get(OutboxRetention).purgeOnce()).toBe(0);
      expect(await t.app.get(OutboxRetention).purgeOnce(new Date(Date.now() + 2 * 3600_000))).toBe(RECENT);
      expect(await countsByName()).toEqual({
        'test.retention.pending': KEPT_OTHERS / 2,
        'test.retention.pending-stamped': KEPT_OTHERS / 2,
        'test.retention.dead': KEPT_OTHERS / 2,
        'test.retention.dead-stamped': KEPT_OTHERS / 2,
      });
    } finally {
      purge.mockRestore();
    }
  });
});
