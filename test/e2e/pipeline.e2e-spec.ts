import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEFAULT_PRODUCTS, SampleOrder, sampleIpn, signForm } from '../../src/cli/sample-notification';
import { Consumer, EventConsumer } from '../../src/core/events';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { IpnReceivedEvent } from '../../src/modules/ipn';
import { InboxRetentionService } from '../../src/modules/ipn/application/inbox-retention.service';
import { OrderCompletedEvent } from '../../src/modules/orders';
import { TEST_SECRET_KEY, TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { expectedReceipt, receiptDateOf } from '../setup/independent-receipt';
import { admin, drained, newOrder, sendStatus } from '../setup/lifecycle';
import { ServiceProcess, builtServiceCopy, kill9, startService } from '../setup/service-process';
import { provisionTestDatabase } from '../setup/test-database';

/** An integrator's consumer of order.completed: fails the first `failuresLeft` times for an order. */
@Consumer('test.flaky', OrderCompletedEvent)
class FlakyConsumer implements EventConsumer<OrderCompletedEvent> {
  static failuresLeft = new Map<string, number>();
  static effects = new Map<string, number>();

  async handle(events: readonly OrderCompletedEvent[]): Promise<void> {
    for (const event of events) {
      const refNo = event.data.refNo;
      const left = FlakyConsumer.failuresLeft.get(refNo) ?? 0;
      if (left > 0) {
        FlakyConsumer.failuresLeft.set(refNo, left - 1);
        throw new Error(`flaky consumer down for ${refNo}`);
      }
    }
    // Counted only once the transaction is sure to commit: after the last throw.
    for (const event of events) FlakyConsumer.effects.set(event.data.refNo, (FlakyConsumer.effects.get(event.data.refNo) ?? 0) + 1);
  }
}

/** A processing bug that shows only on some orders: it sees every stored IPN. */
@Consumer('test.poison', IpnReceivedEvent)
class PoisonConsumer implements EventConsumer<IpnReceivedEvent> {
  static readonly refNos = new Set<string>();

  async handle(events: readonly IpnReceivedEvent[]): Promise<void> {
    const poisoned = events.find((event) => PoisonConsumer.refNos.has(event.orderRef ?? ''));
    if (poisoned) throw new Error(`cannot apply ${poisoned.orderRef}`);
  }
}

@Module({ providers: [FlakyConsumer, PoisonConsumer] })
class IntegratorModule {}

let database: DatabaseEndpoint;
let t: TestApp;
let db: DataSource;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(
    database,
    // Large enough bodies for an order of 5,000 lines.
    {
      INGEST_BATCH_MAX: '8',
      OUTBOX_POLL_MS: '20',
      OUTBOX_BACKOFF_MS: '20',
      OUTBOX_MAX_ATTEMPTS: '3',
      IPN_MAX_BODY: '8mb',
      IPN_MAX_FIELDS: '100000',
    },
    [IntegratorModule],
  );
  db = t.app.get(DataSource);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

const signed = (order: SampleOrder): string => signForm(sampleIpn(order), ['sha256'], TEST_SECRET_KEY);

async function post(body: string): Promise<{ status: number; body: string }> {
  const response = await postForm(`${t.baseUrl}/ipn`, body);
  return { status: response.status, body: await response.text() };
}

async function receivedEvent(refNo: string) {
  const [row] = await db.query(
    `SELECT id, status, attempts, last_error, correlation_id FROM outbox_event WHERE name = 'ipn.received' AND payload->>'orderRef' = $1`,
    [refNo],
  );
  return row;
}

async function view(refNo: string) {
  return (await admin(t, `/api/orders/${refNo}`)).body;
}

describe('receipt = the notification is stored', () => {
  it('answers each of many concurrent notifications with its own receipt, storing each once', async () => {
    const orders = Array.from({ length: 30 }, (_, i) => newOrder({ status: ['PENDING', 'PAYMENT_AUTHORIZED', 'COMPLETE'][i % 3] }));
    const bodies = orders.map(signed);
    const repeated = bodies[7]; // the platform re-sends one while the first delivery is in flight
    const responses = await Promise.all([...bodies, repeated].map(post));

    expect(responses.map((response) => response.status)).toEqual(Array(31).fill(200));
    for (const [i, response] of responses.entries()) {
      const order = orders[i] ?? orders[7];
      const date = receiptDateOf(response.body)!;
      expect(response.body).toBe(
        expectedReceipt('sha256', TEST_SECRET_KEY, [DEFAULT_PRODUCTS[0].id, DEFAULT_PRODUCTS[0].name, order.ipnDate], date),
      );
    }
    const stored = await db.query(`SELECT ref_no, delivery_count FROM ipn_notification WHERE ref_no = ANY($1)`, [
      orders.map((o) => o.refNo),
    ]);
    expect(stored).toHaveLength(30);
    expect(stored.find((row: any) => row.ref_no === orders[7].refNo).delivery_count).toBe(2);
    // One received event per stored notification, not per delivery.
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM outbox_event WHERE name = 'ipn.received' AND payload->>'orderRef' = ANY($1)`,
      [orders.map((o) => o.refNo)],
    );
    expect(n).toBe(30);
    await drained(t);
    const states = await db.query(`SELECT ref_no, status FROM "order" WHERE ref_no = ANY($1)`, [orders.map((o) => o.refNo)]);
    expect(new Map(states.map((row: any) => [row.ref_no, row.status]))).toEqual(new Map(orders.map((o) => [o.refNo, o.status])));
  });

  it('receipts a notification whose processing fails, dead-letters it by name and error, and processes it once replayed', async () => {
    const healthy = Array.from({ length: 8 }, () => newOrder({ status: 'COMPLETE' }));
    const poison = newOrder({ status: 'COMPLETE' });
    PoisonConsumer.refNos.add(poison.refNo);
    const responses = await Promise.all([poison, ...healthy].map((order) => post(signed(order))));
    expect(responses.map((response) => response.status)).toEqual(Array(9).fill(200));
    expect(responses[0].body).toMatch(/^<sig algo="sha256"/);
    await drained(t);

    // Nothing waited behind it: every other order was processed at the first attempt.
    for (const order of healthy) {
      expect(await receivedEvent(order.refNo)).toMatchObject({ status: 'delivered', attempts: 0 });
      expect((await view(order.refNo)).fulfillments.map((f: any) => f.status)).toEqual(['granted', 'granted']);
    }
    const dead = await receivedEvent(poison.refNo);
    expect(dead).toMatchObject({ status: 'dead', attempts: 3 });
    expect(dead.last_error).toBe(`test.poison: cannot apply ${poison.refNo}`);
    // Stored, but none of its processing is: the chain rolled back whole.
    const [message] = (await admin(t, `/api/ipn/messages?refNo=${poison.refNo}`)).body;
    expect(message.id).toBe(dead.correlation_id);
    expect((await admin(t, `/api/orders/${poison.refNo}`)).status).toBe(404);
    const letters = (await admin(t, '/api/events/dead-letters')).body;
    expect(letters).toContainEqual(
      expect.objectContaining({
        id: dead.id,
        name: 'ipn.received',
        orderRef: poison.refNo,
        notificationId: message.id,
        lastError: dead.last_error,
      }),
    );

    PoisonConsumer.refNos.delete(poison.refNo); // the fix is deployed
    expect((await admin(t, `/api/events/${dead.id}/retry`, 'POST')).status).toBe(200);
    await drained(t);
    expect(await receivedEvent(poison.refNo)).toMatchObject({ status: 'delivered' });
    const fixed = await view(poison.refNo);
    expect(fixed.status).toBe('COMPLETE');
    expect(fixed.account.email).toBe(poison.email);
    expect((await admin(t, `/api/events/${dead.id}/retry`, 'POST')).status).toBe(404);
  });

  it('retries a failing consumer with backoff, then commits every effect of the chain once', async () => {
    const order = newOrder();
    // Three failures: a failed batch is not an attempt (its events go one by one), a failure alone is.
    FlakyConsumer.failuresLeft.set(order.refNo, 3);
    await sendStatus(t, order, 'COMPLETE');
    await drained(t);

    const delivered = await receivedEvent(order.refNo);
    expect(delivered).toMatchObject({ status: 'delivered', last_error: null });
    expect(delivered.attempts).toBeGreaterThanOrEqual(1);
    expect(FlakyConsumer.failuresLeft.get(order.refNo)).toBe(0);
    expect(FlakyConsumer.effects.get(order.refNo)).toBe(1);
    const fulfilled = await view(order.refNo);
    expect(fulfilled.fulfillments.map((f: any) => f.status)).toEqual(['granted', 'granted']);
    expect(fulfilled.engagements.map((e: any) => e.kind).sort()).toEqual(['access_granted', 'order_confirmation', 'welcome']);
    expect(fulfilled.history).toHaveLength(1);
  });

  it('tags every event of a chain with the notification that started it', async () => {
    const order = newOrder();
    await sendStatus(t, order, 'COMPLETE');
    await drained(t);
    const { id, correlation_id: notificationId } = await receivedEvent(order.refNo);
    // The event log: one row per raised event, each naming the delivery (chain) that raised it.
    const chain = await db.query(`SELECT name, correlation_id FROM event_log WHERE chain_id = $1 ORDER BY position`, [id]);
    expect(chain.every((link: any) => link.correlation_id === notificationId)).toBe(true);
    expect(chain.map((link: any) => link.name).sort()).toEqual([
      'account.created',
      'engagement.recorded',
      'engagement.recorded',
      'engagement.recorded',
      'fulfillment.granted',
      'order.completed',
      'order.payment_authorized',
      'order.placed',
    ]);
  });
});

describe('values beyond what an order can hold', () => {
  async function deadLetterOf(order: SampleOrder, body: string): Promise<string> {
    expect((await post(body)).status).toBe(200);
    await drained(t);
    const event = await receivedEvent(order.refNo.slice(0, 64));
    expect(event).toMatchObject({ status: 'dead', attempts: 1 });
    return event.last_error;
  }

  it('stores and receipts a REFNO of 3,000 characters, then dead-letters it at once with the reason', async () => {
    const order = newOrder();
    order.refNo = `${order.refNo}${'9'.repeat(3000)}`;
    const stored = await post(signed(order));
    expect(stored.status).toBe(200);
    await drained(t);
    const [row] = await db.query(`SELECT id, ref_no FROM ipn_notification WHERE ref_no = $1`, [order.refNo.slice(0, 64)]);
    const [event] = await db.query(`SELECT status, attempts, last_error FROM outbox_event WHERE correlation_id = $1`, [row.id]);
    expect(event).toMatchObject({ status: 'dead', attempts: 1 });
    expect(event.last_error).toContain(`notification ${row.id}: REFNO is ${order.refNo.length} characters long (at most 64)`);
  });

  it('dead-letters a quantity beyond a 32-bit integer, naming the line', async () => {
    const order = newOrder({ products: [{ ...DEFAULT_PRODUCTS[0], quantity: 99_999_999_999 }] });
    expect(await deadLetterOf(order, signed(order))).toContain('IPN_QTY of line 1 is 99999999999');
  });

  it('dead-letters a license reference of 4,000 characters, naming the field', async () => {
    const order = newOrder({ products: [{ ...DEFAULT_PRODUCTS[0], licenseRef: 'L'.repeat(4000) }] });
    expect(await deadLetterOf(order, signed(order))).toContain('licenseRef of line 1 is 4000 characters long');
  });

  it('fulfils an order of 5,000 lines', async () => {
    const products = Array.from({ length: 5000 }, (_, i) => ({ ...DEFAULT_PRODUCTS[0], id: String(1000 + i), licenseRef: `LIC-${i}` }));
    const order = newOrder({ status: 'COMPLETE', products });
    expect((await post(signed(order))).status).toBe(200);
    await drained(t, 60_000);
    const [{ granted }] = await db.query(`SELECT count(*)::int AS granted FROM entitlement WHERE ref_no = $1 AND status = 'granted'`, [
      order.refNo,
    ]);
    expect(granted).toBe(5000);
  });
});

describe('a process killed after the receipt and before processing', () => {
  let copy: ReturnType<typeof builtServiceCopy> | undefined;
  let service: ServiceProcess | undefined;
  let own: DatabaseEndpoint;
  let restarted: TestApp | undefined;
  beforeAll(async () => {
    own = await provisionTestDatabase();
    copy = builtServiceCopy();
  });
  afterAll(async () => {
    if (service) await kill9(service);
    await restarted?.close();
    await own?.close();
    copy?.remove();
  });

  it('has the notification processed after restart', async () => {
    // The relay is off in this process, so nothing can be processed before it dies.
    service = await startService(copy!.folder, { DATABASE_URL: own.url, OUTBOX_RELAY: 'off' });
    const order = newOrder();
    const receipt = await sendStatus({ baseUrl: service.baseUrl } as TestApp, order, 'COMPLETE');
    expect(receipt).toMatch(/^<sig algo="sha256"/);
    await kill9(service);

    restarted = await createTestApp(own, { OUTBOX_POLL_MS: '20' });
    await drained(restarted);
    const fulfilled = (await admin(restarted, `/api/orders/${order.refNo}`)).body;
    expect(fulfilled.account.email).toBe(order.email);
    expect(fulfilled.fulfillments.map((f: any) => f.status)).toEqual(['granted', 'granted']);
  });
});

describe('inbox retention (INBOX_RETENTION)', () => {
  let own: DatabaseEndpoint;
  let app: TestApp;
  beforeAll(async () => {
    own = await provisionTestDatabase();
    app = await createTestApp(own, { INBOX_RETENTION: '30d', OUTBOX_POLL_MS: '20', OUTBOX_MAX_ATTEMPTS: '1' }, [IntegratorModule]);
  });
  afterAll(async () => {
    await app?.close();
    await own?.close();
  });

  it('deletes only settled notifications older than the window; a dead-lettered one stays', async () => {
    const settled = newOrder();
    const failing = newOrder();
    PoisonConsumer.refNos.add(failing.refNo);
    await sendStatus(app, settled, 'COMPLETE');
    await sendStatus(app, failing, 'COMPLETE');
    await drained(app);
    const retention = app.app.get(InboxRetentionService);
    const stored = () => app.app.get(DataSource).query(`SELECT ref_no FROM ipn_notification ORDER BY ref_no`);

    expect(await retention.purgeOnce(new Date(Date.now() + 29 * 86_400_000))).toBe(0);
    expect(await retention.purgeOnce(new Date(Date.now() + 31 * 86_400_000))).toBe(1);
    expect((await stored()).map((row: any) => row.ref_no)).toEqual([failing.refNo]);
    // The order it made stays: only the raw notification went.
    expect((await admin(app, `/api/orders/${settled.refNo}`)).body.status).toBe('COMPLETE');
    PoisonConsumer.refNos.delete(failing.refNo);
  });
});
