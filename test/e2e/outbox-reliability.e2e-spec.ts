import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { AddressInfo, createServer } from 'node:net';
import { resolve } from 'node:path';
import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BatchConsumer, BatchConsumers, ConsumerInbox, DomainEvent, OnDomainEvent } from '../../src/core/events';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { OrderCompletedEvent, OrderPaymentAuthorizedEvent } from '../../src/modules/orders';
import { TEST_SECRET_KEY, TestApp, createTestApp } from '../setup/create-test-app';
import { admin, drained, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';

/** A consumer an integrator adds: it fails the first `failuresLeft` times, then works. */
@Injectable()
class FlakyConsumer {
  static failuresLeft = new Map<string, number>();
  static calls = new Map<string, number>();
  static effects = new Map<string, number>();

  constructor(private readonly inbox: ConsumerInbox) {}

  @OnDomainEvent(OrderCompletedEvent.NAME)
  async handle(event: OrderCompletedEvent): Promise<void> {
    const refNo = event.data.refNo;
    FlakyConsumer.calls.set(refNo, (FlakyConsumer.calls.get(refNo) ?? 0) + 1);
    const left = FlakyConsumer.failuresLeft.get(refNo) ?? 0;
    if (left > 0) {
      FlakyConsumer.failuresLeft.set(refNo, left - 1);
      throw new Error(`flaky consumer down for ${refNo}`);
    }
    await this.inbox.once('test.flaky', event, async () => {
      FlakyConsumer.effects.set(refNo, (FlakyConsumer.effects.get(refNo) ?? 0) + 1);
    });
  }
}

/** A batch consumer an integrator adds: any batch holding a marked order fails, `failuresLeft` times. */
@Injectable()
class FlakyBatchConsumer implements BatchConsumer, OnModuleInit {
  static failuresLeft = new Map<string, number>();
  static batchSizes: number[] = [];
  readonly consumer = 'test.flaky-batch';
  readonly events = [OrderPaymentAuthorizedEvent.NAME];

  constructor(private readonly consumers: BatchConsumers) {}

  onModuleInit(): void {
    this.consumers.register(this);
  }

  async handle(events: readonly DomainEvent[]): Promise<DomainEvent[]> {
    FlakyBatchConsumer.batchSizes.push(events.length);
    for (const event of events) {
      const left = FlakyBatchConsumer.failuresLeft.get(event.orderRef!) ?? 0;
      if (left > 0) {
        FlakyBatchConsumer.failuresLeft.set(event.orderRef!, left - 1);
        throw new Error(`flaky batch consumer down for ${event.orderRef}`);
      }
    }
    return [];
  }
}

@Module({ providers: [FlakyConsumer, FlakyBatchConsumer] })
class FlakyModule {}

let database: DatabaseEndpoint;
let t: TestApp;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(
    database,
    { OUTBOX_POLL_MS: '20', OUTBOX_BACKOFF_MS: '20', OUTBOX_MAX_ATTEMPTS: '3' },
    [FlakyModule],
  );
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

async function completedEvent(refNo: string, name = 'order.completed') {
  const [row] = await t.app
    .get(DataSource)
    .query(`SELECT id, status, attempts, last_error FROM outbox_event WHERE name = $2 AND payload->>'orderRef' = $1`, [refNo, name]);
  return row;
}

it('fails only the event a batch consumer cannot take: its batch goes one by one, no consumer repeats its work', async () => {
  const orders = Array.from({ length: 6 }, () => newOrder());
  const [failing, ...healthy] = orders;
  FlakyBatchConsumer.failuresLeft.set(failing.refNo, 2); // the batch, then the event alone: one failed attempt
  FlakyBatchConsumer.batchSizes = [];
  await Promise.all(orders.map((order) => sendStatus(t, order, 'COMPLETE')));
  await drained(t);

  expect(await completedEvent(failing.refNo, 'order.payment_authorized')).toMatchObject({ status: 'delivered', last_error: null });
  for (const order of healthy) {
    expect(await completedEvent(order.refNo, 'order.payment_authorized')).toMatchObject({ status: 'delivered', attempts: 1 });
  }
  const processed = await t.app
    .get(DataSource)
    .query(
      `SELECT o.payload->>'orderRef' AS "refNo", p.consumer FROM processed_event p JOIN outbox_event o ON o.id = p.event_id
       WHERE o.name = 'order.payment_authorized' AND o.payload->>'orderRef' = ANY($1)`,
      [orders.map((order) => order.refNo)],
    );
  for (const order of orders) {
    const consumers = processed.filter((row: any) => row.refNo === order.refNo).map((row: any) => row.consumer).sort();
    expect([order.refNo, consumers]).toEqual([
      order.refNo,
      ['accounts.link-account-on-order-paid', 'customer-engagement.message-customer-on-lifecycle', 'test.flaky-batch'],
    ]);
    const view = (await admin(t, `/api/orders/${order.refNo}`)).body;
    expect(kinds(view.engagements)).toEqual(['access_granted', 'order_confirmation', 'welcome']);
    expect(view.account.email).toBe(order.email);
  }
  // Once its batch failed, the consumer was given the events one at a time.
  expect(FlakyBatchConsumer.batchSizes).toContain(1);
});

const kinds = (items: Array<{ kind: string }>) => items.map((item) => item.kind).sort();

it('retries a consumer that throws twice, then delivers once, without repeating the other consumers', async () => {
  const order = newOrder();
  FlakyConsumer.failuresLeft.set(order.refNo, 2);
  await sendStatus(t, order, 'COMPLETE');
  await drained(t);

  expect(await completedEvent(order.refNo)).toMatchObject({ status: 'delivered', attempts: 3, last_error: null });
  expect(FlakyConsumer.calls.get(order.refNo)).toBe(3);
  expect(FlakyConsumer.effects.get(order.refNo)).toBe(1);
  const view = (await admin(t, `/api/orders/${order.refNo}`)).body;
  expect(view.fulfillments.map((f: any) => f.status)).toEqual(['granted', 'granted']);
  expect(view.engagements.filter((e: any) => e.kind === 'access_granted')).toHaveLength(1);
});

it('dead-letters after the last attempt, lists it, and delivers it when retried by hand', async () => {
  const order = newOrder();
  FlakyConsumer.failuresLeft.set(order.refNo, 3);
  await sendStatus(t, order, 'COMPLETE');
  await drained(t);

  const dead = await completedEvent(order.refNo);
  expect(dead).toMatchObject({ status: 'dead', attempts: 3 });
  expect(dead.last_error).toContain('flaky consumer down');
  const letters = (await admin(t, '/api/events/dead-letters')).body;
  expect(letters).toEqual(expect.arrayContaining([expect.objectContaining({ id: dead.id, name: 'order.completed', orderRef: order.refNo })]));

  expect((await admin(t, `/api/events/${dead.id}/retry`, 'POST')).status).toBe(200);
  await drained(t);
  expect(await completedEvent(order.refNo)).toMatchObject({ status: 'delivered' });
  expect(FlakyConsumer.effects.get(order.refNo)).toBe(1);
  expect((await admin(t, '/api/events/dead-letters')).body.map((letter: any) => letter.id)).not.toContain(dead.id);
  expect((await admin(t, `/api/events/${dead.id}/retry`, 'POST')).status).toBe(404);
});

describe('a process killed after commit and before dispatch', () => {
  let child: ChildProcess | undefined;
  let own: DatabaseEndpoint;
  let restarted: TestApp | undefined;
  beforeAll(async () => {
    own = await provisionTestDatabase();
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await restarted?.close();
    await own?.close();
  });

  it('has its events delivered after restart', async () => {
    const root = resolve(__dirname, '..', '..');
    execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root });
    const port = await freePort();
    // The relay is off in this process, so nothing can be dispatched before it dies.
    child = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: own.url,
        DATABASE_POOL_SIZE: String(own.maxPoolSize ?? 4),
        PORT: String(port),
        IPN_SECRET_KEY: TEST_SECRET_KEY,
        OUTBOX_RELAY: 'off',
        LOG_LEVEL: 'log',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await waitForOutput(child, 'Listening on');

    const order = newOrder();
    const receipt = await sendStatus({ baseUrl: `http://127.0.0.1:${port}` } as TestApp, order, 'COMPLETE');
    expect(receipt).toMatch(/^<sig algo="sha256"/);
    child.kill('SIGKILL');
    await once(child, 'exit');

    restarted = await createTestApp(own, { OUTBOX_RELAY: 'off' });
    const pending = await restarted.app
      .get(DataSource)
      .query(`SELECT name FROM outbox_event WHERE payload->>'orderRef' = $1 AND status = 'pending'`, [order.refNo]);
    expect(pending.map((row: any) => row.name).sort()).toEqual(['order.completed', 'order.payment_authorized', 'order.placed']);
    await restarted.close();

    // The restart, with the relay on: it finds the committed events and delivers them.
    restarted = await createTestApp(own, { OUTBOX_POLL_MS: '20' });
    await drained(restarted);
    const view = (await admin(restarted, `/api/orders/${order.refNo}`)).body;
    expect(view.account.email).toBe(order.email);
    expect(view.fulfillments.map((f: any) => f.status)).toEqual(['granted', 'granted']);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  return new Promise((done, fail) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) done();
    });
    child.once('exit', (code) => fail(new Error(`the service exited (${code}) before: ${text}\n${seen}`)));
  });
}
