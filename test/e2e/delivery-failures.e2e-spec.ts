import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consumer, ConsumerContext, EventConsumer } from '../../src/core/events';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { IpnReceivedEvent } from '../../src/modules/ipn';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { withClient } from '../setup/test-database';
import { admin, drained, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';

/** How an order's notification misbehaves in the delivery transaction. */
type Trouble = 'sql-sleep' | 'js-sleep' | 'unstorable';

const STATEMENT_TIMEOUT_MS = 400;

/** Misbehaves inside the delivery transaction for the orders named in `trouble`; fine for the rest. */
@Consumer('test.troublemaker', IpnReceivedEvent)
class Troublemaker implements EventConsumer<IpnReceivedEvent> {
  static readonly trouble = new Map<string, Trouble>();

  async handle(events: readonly IpnReceivedEvent[], { manager }: ConsumerContext): Promise<void> {
    for (const event of events) {
      const trouble = Troublemaker.trouble.get(event.orderRef ?? '');
      // Past the statement timeout, in SQL: the server cancels the statement.
      if (trouble === 'sql-sleep') await manager.query(`SELECT pg_sleep($1)`, [(STATEMENT_TIMEOUT_MS * 3) / 1000]);
      // Idle inside the transaction for longer than idle_in_transaction_session_timeout (twice the
      // statement timeout): the server ends the session under the delivery.
      if (trouble === 'js-sleep') {
        await manager.query('SELECT 1');
        await new Promise((resolve) => setTimeout(resolve, STATEMENT_TIMEOUT_MS * 4));
        await manager.query('SELECT 1');
      }
      // A value PostgreSQL cannot store.
      if (trouble === 'unstorable') await manager.query(`SELECT 99999999999::int`);
    }
  }
}

@Module({ providers: [Troublemaker] })
class TroubleModule {}

let database: DatabaseEndpoint;
let t: TestApp;
let db: DataSource;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(
    database,
    {
      DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      OUTBOX_POLL_MS: '50',
      OUTBOX_BACKOFF_MS: '50',
      OUTBOX_MAX_ATTEMPTS: '3',
    },
    [TroubleModule],
  );
  db = t.app.get(DataSource);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

async function receivedEvent(refNo: string): Promise<{ id: string; status: string; attempts: number; last_error: string | null }> {
  const [row] = await db.query(
    `SELECT id, status, attempts, last_error FROM outbox_event WHERE name = 'ipn.received' AND payload->>'orderRef' = $1`,
    [refNo],
  );
  return row;
}

describe('a delivery that fails in the database', () => {
  it.each<[Trouble, RegExp]>([
    ['sql-sleep', /statement timeout/i],
    ['js-sleep', /idle_in_transaction_session_timeout/i],
  ])(
    'past a time limit (%s) is split out of its batch, retried, counted and dead-lettered; the others are delivered',
    async (trouble, reason) => {
      const bad = newOrder();
      const good = Array.from({ length: 6 }, () => newOrder());
      Troublemaker.trouble.set(bad.refNo, trouble);
      await Promise.all([bad, ...good].map((order) => sendStatus(t, order, 'COMPLETE')));
      await drained(t, 30000);

      const dead = await receivedEvent(bad.refNo);
      expect(dead.status).toBe('dead');
      expect(dead.attempts).toBe(3);
      expect(dead.last_error).toMatch(reason);
      for (const order of good) {
        expect((await receivedEvent(order.refNo)).status).toBe('delivered');
        expect((await admin(t, `/api/orders/${order.refNo}`)).body.status).toBe('COMPLETE');
      }
      const dead_letters = (await admin(t, '/api/events/dead-letters')).body as Array<{ id: string }>;
      expect(dead_letters.map((letter) => letter.id)).toContain(dead.id);
    },
    60000,
  );

  it('with a value PostgreSQL cannot store is dead-lettered on its first attempt, with the reason', async () => {
    const bad = newOrder();
    Troublemaker.trouble.set(bad.refNo, 'unstorable');
    await sendStatus(t, bad, 'COMPLETE');
    await drained(t);
    const dead = await receivedEvent(bad.refNo);
    expect(dead).toMatchObject({ status: 'dead', attempts: 1 });
    expect(dead.last_error).toMatch(/out of range/);
  });

  it('a retried dead letter whose notification a replay applied since is delivered, changing nothing', async () => {
    const order = newOrder();
    Troublemaker.trouble.set(order.refNo, 'unstorable');
    await sendStatus(t, order, 'COMPLETE');
    await drained(t);
    const dead = await receivedEvent(order.refNo);
    expect(dead.status).toBe('dead');

    // Mended; an operator replays the notification, which applies it.
    Troublemaker.trouble.delete(order.refNo);
    const [{ id: notificationId }] = await db.query(`SELECT id FROM ipn_notification WHERE ref_no = $1`, [order.refNo]);
    expect((await admin(t, `/api/ipn/messages/${notificationId}/replay`, 'POST')).status).toBe(200);
    await drained(t);
    const before = (await admin(t, `/api/orders/${order.refNo}`)).body;
    expect(before.status).toBe('COMPLETE');

    // Then someone retries the old dead letter too: it is delivered and changes nothing.
    expect((await admin(t, `/api/events/${dead.id}/retry`, 'POST')).status).toBe(200);
    await drained(t);
    const [retried] = await db.query(`SELECT status, last_error FROM outbox_event WHERE id = $1`, [dead.id]);
    expect(retried).toMatchObject({ status: 'delivered', last_error: null });
    const after = (await admin(t, `/api/orders/${order.refNo}`)).body;
    expect(after.history).toEqual(before.history);
  });

  it('while the database is slow for everyone (a table locked by someone else), dead-letters nothing, and delivers all once it is free', async () => {
    const orders = Array.from({ length: 6 }, () => newOrder());
    await withClient(database.url, async (client) => {
      await client.query('BEGIN');
      await client.query('LOCK TABLE "order" IN ACCESS EXCLUSIVE MODE');
      try {
        await Promise.all(orders.map((order) => sendStatus(t, order, 'COMPLETE')));
        // Every delivery now waits on the lock until its statement times out, round after round.
        await new Promise((resolve) => setTimeout(resolve, STATEMENT_TIMEOUT_MS * 25));
        const rows: Array<{ status: string; attempts: number }> = await db.query(
          `SELECT status, attempts FROM outbox_event WHERE name = 'ipn.received' AND payload->>'orderRef' = ANY($1)`,
          [orders.map((order) => order.refNo)],
        );
        expect(rows).toHaveLength(6);
        expect(rows.every((row) => row.status === 'pending')).toBe(true);
        expect(Math.max(...rows.map((row) => row.attempts))).toBeLessThan(3);
      } finally {
        await client.query('ROLLBACK');
      }
    });
    await drained(t);
    for (const order of orders) expect((await receivedEvent(order.refNo)).status).toBe('delivered');
  }, 60000);
});
