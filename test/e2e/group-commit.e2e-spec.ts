import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEFAULT_PRODUCTS, sampleIpn, signForm } from '../../src/cli/sample-notification';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { IpnModule, NotificationProcessor, NotificationProcessors, StoredNotification } from '../../src/modules/ipn';
import { TEST_SECRET_KEY, TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { expectedReceipt, receiptDateOf } from '../setup/independent-receipt';
import { newOrder } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';

/** An integrator's processor with a bug that shows only on some orders. */
@Injectable()
class PoisonProcessor implements NotificationProcessor, OnModuleInit {
  static readonly refNos = new Set<string>();

  constructor(private readonly processors: NotificationProcessors) {}

  onModuleInit(): void {
    this.processors.register('ipn', this);
  }

  async process(notifications: readonly StoredNotification[]): Promise<void> {
    const poisoned = notifications.find((notification) => PoisonProcessor.refNos.has(notification.form.first('REFNO')!));
    if (poisoned) throw new Error(`cannot apply ${poisoned.form.first('REFNO')}`);
  }
}

@Module({ imports: [IpnModule], providers: [PoisonProcessor] })
class PoisonModule {}

/** Notifications arriving together share a transaction; each still gets its own answer. */
let database: DatabaseEndpoint;
let t: TestApp;
let db: DataSource;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database, { INGEST_BATCH_MAX: '8', OUTBOX_RELAY: 'off' }, [PoisonModule]);
  db = t.app.get(DataSource);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

function signed(order: ReturnType<typeof newOrder>): string {
  return signForm(sampleIpn(order), ['sha256'], TEST_SECRET_KEY);
}

async function post(body: string): Promise<{ status: number; body: string }> {
  const response = await postForm(`${t.baseUrl}/ipn`, body);
  return { status: response.status, body: await response.text() };
}

it('answers each of many concurrent notifications with its own receipt, storing each once', async () => {
  const orders = Array.from({ length: 30 }, (_, i) => newOrder({ status: ['PENDING', 'PAYMENT_AUTHORIZED', 'COMPLETE'][i % 3] }));
  const bodies = orders.map(signed);
  const repeated = bodies[7]; // the platform re-sends one while the first delivery is in flight
  const responses = await Promise.all([...bodies, repeated].map(post));

  expect(responses.map((response) => response.status)).toEqual(Array(31).fill(200));
  for (const [i, response] of responses.entries()) {
    const order = orders[i] ?? orders[7];
    const date = receiptDateOf(response.body)!;
    expect(response.body).toBe(expectedReceipt('sha256', TEST_SECRET_KEY, [DEFAULT_PRODUCTS[0].id, DEFAULT_PRODUCTS[0].name, order.ipnDate], date));
  }
  const stored = await db.query(
    `SELECT ref_no, delivery_count FROM ipn_notification WHERE ref_no = ANY($1) ORDER BY ref_no`,
    [orders.map((order) => order.refNo)],
  );
  expect(stored).toHaveLength(30);
  expect(stored.find((row: any) => row.ref_no === orders[7].refNo).delivery_count).toBe(2);
  const states = await db.query(`SELECT ref_no, status FROM "order" WHERE ref_no = ANY($1)`, [orders.map((order) => order.refNo)]);
  expect(new Map(states.map((row: any) => [row.ref_no, row.status]))).toEqual(new Map(orders.map((order) => [order.refNo, order.status])));
});

it('fails only the notification a processor cannot apply; the others in its batch are stored and receipted', async () => {
  const orders = Array.from({ length: 12 }, () => newOrder());
  const poison = newOrder();
  PoisonProcessor.refNos.add(poison.refNo);
  const responses = await Promise.all([...orders, poison].map((order) => post(signed(order))));

  expect(responses.slice(0, 12).map((response) => response.status)).toEqual(Array(12).fill(200));
  expect(responses[12]).toMatchObject({ status: 500 });
  expect(responses[12].body).not.toMatch(/<sig/);
  // Rolled back with its transaction: the platform retries it, and a retry finds nothing half-done.
  const stored = await db.query(`SELECT ref_no FROM ipn_notification WHERE ref_no = ANY($1)`, [[...orders, poison].map((order) => order.refNo)]);
  expect(stored.map((row: any) => row.ref_no).sort()).toEqual(orders.map((order) => order.refNo).sort());

  PoisonProcessor.refNos.delete(poison.refNo);
  expect((await post(signed(poison))).status).toBe(200);
});
