import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { DataSource } from 'typeorm';
import { EVENT_SCHEMAS } from '../../src/core/events';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { BROKER_URL, BrokerInbox, uniqueName } from '../setup/broker';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { admin, drained, newOrder, sendStatus } from '../setup/lifecycle';
import { fakeSmtpServer, stallingServer } from '../setup/smtp';
import { TcpProxy } from '../setup/tcp-proxy';
import { provisionTestDatabase } from '../setup/test-database';

/**
 * RabbitMQ publishing against the machine's real broker, reached through a TCP proxy the test can cut:
 * one app, an exchange and a queue of this run's own (deleted afterwards).
 */
const EXCHANGE = uniqueName('events');
const broker = new URL(BROKER_URL);

let database: DatabaseEndpoint;
let proxy: TcpProxy;
let smtp: Awaited<ReturnType<typeof fakeSmtpServer>>;
let t: TestApp;
let db: DataSource;
let inbox: BrokerInbox;

beforeAll(async () => {
  database = await provisionTestDatabase();
  proxy = new TcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
  await proxy.start();
  // A free port for the mail server: mail must go on while the broker is away.
  const probe = await stallingServer();
  await probe.close();
  smtp = await fakeSmtpServer(probe.port);
  t = await createTestApp(database, {
    AMQP_URL: proxy.rewrite(BROKER_URL),
    AMQP_EXCHANGE: EXCHANGE,
    AMQP_RECONNECT_MS: '200',
    OUTBOX_POLL_MS: '50',
    OUTBOX_BACKOFF_MS: '100',
    SMTP_URL: `smtp://127.0.0.1:${probe.port}`,
    TEST_ORDERS_SEND_MAIL: 'true',
  });
  db = t.app.get(DataSource);
  await until('the exchange declared', async () => (await connected()) === 1);
  inbox = await BrokerInbox.open(EXCHANGE);
});

afterAll(async () => {
  await t?.close();
  await inbox?.close();
  await proxy?.cut();
  await smtp?.close();
  await database?.close();
});

async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function metric(series: string): Promise<number> {
  const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const connected = () => metric('amqp_connected');

/** An order's events as the log holds them, in log order. */
async function logged(orderRef: string): Promise<Array<{ id: string; name: string }>> {
  return db.query(`SELECT event_id AS id, name FROM event_log WHERE order_ref = $1 ORDER BY position`, [orderRef]);
}

/** Waits until every logged event of these orders reached the queue; checks each order's order. */
async function allPublished(orderRefs: readonly string[], timeoutMs = 30_000): Promise<void> {
  await drained(t);
  for (const ref of orderRefs) expect((await logged(ref)).length).toBeGreaterThanOrEqual(3);
  await until(
    `${orderRefs.length} orders published`,
    async () => {
      for (const ref of orderRefs) if (inbox.idsOf(ref).unique.length < (await logged(ref)).length) return false;
      return true;
    },
    timeoutMs,
  );
  for (const ref of orderRefs) expect(inbox.idsOf(ref).unique).toEqual((await logged(ref)).map((event) => event.id));
}

async function amqpItems(status?: string): Promise<Array<{ eventId: string; attempts: number; lastError: string | null; status: string }>> {
  const { body } = await admin(t, `/api/deliveries?channel=amqp&limit=1000${status ? `&status=${status}` : ''}`);
  return body;
}

describe('publishing to RabbitMQ', () => {
  it('declares a durable topic exchange and publishes each committed event, the envelope as GET /api/events gives it', async () => {
    // Durable and a topic exchange: declaring it otherwise is refused by the broker.
    await expect(inbox.on((channel) => channel.assertExchange(EXCHANGE, 'topic', { durable: true }))).resolves.toBeTruthy();
    await expect(inbox.on((channel) => channel.assertExchange(EXCHANGE, 'topic', { durable: false }))).rejects.toThrow(
      /PRECONDITION_FAILED/,
    );
    await expect(inbox.on((channel) => channel.assertExchange(EXCHANGE, 'fanout', { durable: true }))).rejects.toThrow(
      /PRECONDITION_FAILED/,
    );

    const order = newOrder();
    await sendStatus(t, order, 'COMPLETE');
    await allPublished([order.refNo]);
    const events = (await admin(t, '/api/events?limit=1000')).body.events as any[];
    const mine = inbox.messages.filter((message) => message.body.orderRef === order.refNo);
    expect(mine.map((message) => message.routingKey)).toEqual(expect.arrayContaining(['order.placed', 'order.completed']));
    for (const message of mine) {
      const envelope = events.find((event) => event.eventId === message.properties.messageId);
      expect(message.body).toEqual(envelope);
      expect(message.routingKey).toBe(envelope.name);
      expect(message.properties).toMatchObject({
        messageId: envelope.eventId,
        type: envelope.name,
        contentType: 'application/json',
        deliveryMode: 2,
        timestamp: Math.floor(Date.parse(envelope.occurredAt) / 1000),
        correlationId: envelope.correlationId,
        headers: { version: envelope.version, orderRef: order.refNo, test: true },
      });
    }
    expect(await metric('deliveries_total{channel="amqp"}')).toBeGreaterThanOrEqual(mine.length);
  });

  it('publishes messages the generated schemas describe: each body valid against its event’s envelope schema', async () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addSchema({ definitions: EVENT_SCHEMAS.definitions }, 'events');
    const byName = new Map(EVENT_SCHEMAS['x-events'].map((event) => [event.name, event]));
    expect(inbox.messages.length).toBeGreaterThan(0);
    for (const message of inbox.messages) {
      const entry = byName.get(message.routingKey);
      expect({ event: message.routingKey, described: entry !== undefined }).toEqual({ event: message.routingKey, described: true });
      const validate = ajv.getSchema(`events#/definitions/${entry!.envelope}`)!;
      expect({ event: message.routingKey, valid: validate(message.body), errors: validate.errors ?? null }).toEqual({
        event: message.routingKey,
        valid: true,
        errors: null,
      });
    }
    // And they do constrain: an order event without its order is not valid.
    const completed = inbox.messages.find((message) => message.routingKey === 'order.completed')!;
    expect(ajv.getSchema('events#/definitions/OrderCompletedEvent')!({ ...completed.body, data: {} })).toBe(false);
  });

  it('publishes each order’s events in their order, each once, with many orders at once', async () => {
    const orders = Array.from({ length: 30 }, () => newOrder());
    await Promise.all(orders.map((order) => sendStatus(t, order, 'PENDING')));
    await Promise.all(orders.map((order) => sendStatus(t, order, 'COMPLETE')));
    await allPublished(orders.map((order) => order.refNo));
    for (const order of orders) {
      const { all, unique } = inbox.idsOf(order.refNo);
      expect(all).toEqual(unique);
    }
  });

  it('counts a returned message (no queue bound) as not published: retried, its order’s later events behind it, until a queue takes it', async () => {
    await inbox.unbind();
    const order = newOrder();
    try {
      await sendStatus(t, order, 'COMPLETE');
      await until('a returned message recorded', async () =>
        (await amqpItems('pending')).some(
          (item) => item.attempts >= 2 && /Returned by the broker \(312 NO_ROUTE\)/.test(item.lastError ?? ''),
        ),
      );
    } finally {
      await inbox.bind();
    }
    expect(inbox.idsOf(order.refNo).all).toEqual([]);
    await allPublished([order.refNo]);
    expect(await amqpItems('dead')).toEqual([]);
  });

  it('counts a message the broker refused (nack) as not published: retried until confirmed', async () => {
    // A full queue that rejects publishes makes the broker nack whatever is routed to it.
    const full = uniqueName('full');
    await inbox.on(async (channel) => {
      await channel.assertQueue(full, { durable: false, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
      channel.sendToQueue(full, Buffer.from('filler'));
      await channel.bindQueue(full, EXCHANGE, 'order.*');
    });
    const order = newOrder();
    try {
      await sendStatus(t, order, 'COMPLETE');
      await until('a refused message recorded', async () =>
        (await amqpItems('pending')).some((item) => item.attempts >= 2 && /the broker refused it \(nack/.test(item.lastError ?? '')),
      );
      // Nothing of the order after its first order.* event went out meanwhile.
      const names = (await logged(order.refNo)).map((event) => event.name);
      const firstRefused = names.findIndex((name) => name.startsWith('order.'));
      const published = new Set(inbox.idsOf(order.refNo).unique);
      const later = (await logged(order.refNo)).slice(firstRefused + 1);
      expect(later.filter((event) => published.has(event.id))).toEqual([]);
    } finally {
      await inbox.on((channel) => channel.deleteQueue(full));
    }
    await allPublished([order.refNo]);
  });

  it('declares the exchange again when the broker closed the channel (the exchange was deleted), and publishes on', async () => {
    await inbox.on((channel) => channel.deleteExchange(EXCHANGE));
    const order = newOrder();
    await sendStatus(t, order, 'COMPLETE');
    // Publishing to the missing exchange closes the channel (404); a fresh connection declares it again.
    await until('the exchange declared again', () =>
      inbox
        .on((channel) => channel.checkExchange(EXCHANGE))
        .then(
          () => true,
          () => false,
        ),
    );
    await inbox.bind(); // deleting the exchange removed the queue's binding
    await allPublished([order.refNo]);
    expect(await connected()).toBe(1);
  });

  it('feeds the example consumer (examples/amqp-consumer), which takes each event once though one is published twice', async () => {
    const queue = uniqueName('example');
    const dir = mkdtempSync(join(tmpdir(), 'amqp-consumer-'));
    const child = spawn(process.execPath, ['examples/amqp-consumer/consumer.mjs'], {
      env: {
        ...process.env,
        AMQP_URL: BROKER_URL,
        AMQP_EXCHANGE: EXCHANGE,
        QUEUE: queue,
        BINDINGS: 'order.*',
        SEEN_FILE: join(dir, 'seen'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const out: any[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      out.push(...lines.filter(Boolean).map((line) => JSON.parse(line)));
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      await until('the example consuming', () => out.some((line) => line.consuming === queue));
      const order = newOrder();
      await sendStatus(t, order, 'COMPLETE');
      await allPublished([order.refNo]);
      const orderEvents = (await logged(order.refNo)).filter((event) => event.name.startsWith('order.'));
      await until('the example handled the order’s events', () => out.filter((line) => line.handled).length === orderEvents.length);
      // At least once: the same message again (as after a lost confirm) is recognised by its messageId.
      const again = inbox.messages.find((message) => message.properties.messageId === orderEvents[0].id)!;
      await inbox.on(async (channel) => {
        channel.publish(EXCHANGE, again.routingKey, Buffer.from(JSON.stringify(again.body)), { messageId: again.properties.messageId });
      });
      await until('the duplicate recognised', () => out.some((line) => line.duplicate === orderEvents[0].id));
      expect(out.filter((line) => line.handled).map((line) => [line.handled, line.name])).toEqual(
        orderEvents.map((event) => [event.id, event.name]),
      );
      expect(readFileSync(join(dir, 'seen'), 'utf8').trim().split('\n')).toEqual(orderEvents.map((event) => event.id));
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await inbox.on((channel) => channel.deleteQueue(queue));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps events in the log while the broker is unreachable, receipts and mail unaffected; publishes all, in order, on reconnect', async () => {
    const orders = Array.from({ length: 40 }, () => newOrder());
    const receiptMs: number[] = [];
    const send = async (order: (typeof orders)[number]) => {
      const started = performance.now();
      await sendStatus(t, order, 'COMPLETE');
      receiptMs.push(performance.now() - started);
    };
    const mailBefore = smtp.received.length;
    // Load: orders 4 at a time; the broker goes away once ten are receipted.
    let next = 0;
    let receipted = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < orders.length) {
          await send(orders[next++]);
          if (++receipted === 10) await proxy.cut();
        }
      }),
    );
    expect(receiptMs).toHaveLength(orders.length);
    // Every notification was receipted at once: the broker is not on the receipt's path.
    expect(Math.max(...receiptMs)).toBeLessThan(5000);

    await until('the broker seen as gone', async () => (await connected()) === 0);
    // Processing and mail go on: every order's messages are mailed while the broker is away.
    await until('the orders’ mail sent', () => smtp.received.length >= mailBefore + orders.length);
    // The backlog shows; and waiting costs no attempts (a target counting attempts would be at 4 or 5 by now).
    await sleep(2000);
    await until('the backlog counted', async () => (await metric('deliveries_pending{channel="amqp"}')) > 0, 10_000);
    const items = await amqpItems();
    expect(items.filter((item) => item.status === 'dead')).toEqual([]);
    expect(Math.max(0, ...items.filter((item) => item.status === 'pending').map((item) => item.attempts))).toBeLessThanOrEqual(1);
    const waiting = [];
    for (const order of orders) if (inbox.idsOf(order.refNo).unique.length < (await logged(order.refNo)).length) waiting.push(order);
    expect(waiting.length).toBeGreaterThanOrEqual(25);

    await proxy.resume();
    await allPublished(
      orders.map((order) => order.refNo),
      60_000,
    );
    expect(await connected()).toBe(1);
    expect(await amqpItems('dead')).toEqual([]);
  });
});
