import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ProvidesDeliveryTargets, SendingTarget, exponentialRetry } from '../../src/core/delivery';
import { DomainEvent, EventFilter } from '../../src/core/events';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { admin, drained, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';
import { DeliveryRepository } from '../../src/core/delivery/persistence/delivery.repository';

const LEASE_MS = 900;

/** What the probe target was handed: each send, in the order it happened, by the process that made it. */
interface Sent {
  name: string;
  orderRef: string | null;
  eventId: string;
  ok: boolean;
  by: string;
  at: number;
}

/** Orders whose first event fails this many times; events whose send takes this long. */
const failFirst = new Map<string, number>();
const slow = new Map<string, number>();
const sent: Sent[] = [];

/** A sending target of the delivery stage, as a webhook or the broker would be: order.* events. */
@ProvidesDeliveryTargets()
class ProbeTargets {
  private static instances = 0;
  private readonly me = `instance-${++ProbeTargets.instances}`;
  private readonly list: SendingTarget[] = [
    {
      kind: 'send',
      name: 'test:probe',
      channel: 'webhook',
      filter: new EventFilter(['order.placed', 'order.payment_authorized', 'order.completed']),
      startAt: 'now',
      timeoutMs: 10_000,
      retry: exponentialRetry(100, 4),
      parallelKeys: 8,
      send: (event) => this.send(event),
    },
  ];

  targets(): readonly SendingTarget[] {
    return this.list;
  }

  private async send(event: DomainEvent): Promise<void> {
    const delay = slow.get(event.orderRef ?? '');
    if (delay) await new Promise((done) => setTimeout(done, delay));
    const left = failFirst.get(event.orderRef ?? '') ?? 0;
    if (left > 0 && event.name === 'order.placed') {
      failFirst.set(event.orderRef!, left - 1);
      sent.push({ name: event.name, orderRef: event.orderRef, eventId: event.eventId, ok: false, by: this.me, at: Date.now() });
      throw new Error(`probe refused ${event.orderRef}`);
    }
    sent.push({ name: event.name, orderRef: event.orderRef, eventId: event.eventId, ok: true, by: this.me, at: Date.now() });
  }
}

@Module({ providers: [ProbeTargets] })
class ProbeModule {}

let database: DatabaseEndpoint;
let first: TestApp;
let second: TestApp;
let db: DataSource;
const ENV = { OUTBOX_POLL_MS: '50', OUTBOX_BACKOFF_MS: '50', DELIVERY_LEASE_MS: String(LEASE_MS) };

beforeAll(async () => {
  database = await provisionTestDatabase();
  first = await createTestApp(database, ENV, [ProbeModule]);
  second = await createTestApp(database, ENV, [ProbeModule]);
  db = first.app.get(DataSource);
});

afterAll(async () => {
  await second?.close();
  await first?.close();
  await database?.close();
});

async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 25));
  }
}

const delivered = (refNo: string) => sent.filter((entry) => entry.orderRef === refNo && entry.ok).map((entry) => entry.name);
const LIFECYCLE = ['order.placed', 'order.payment_authorized', 'order.completed'];

describe('the delivery stage, two instances on one database', () => {
  it('keeps an order’s order through failures: its later events wait for the first, while other orders flow', async () => {
    const stuck = newOrder();
    const others = Array.from({ length: 5 }, () => newOrder());
    failFirst.set(stuck.refNo, 2);
    await Promise.all([stuck, ...others].map((order) => sendStatus(t(), order, 'COMPLETE')));
    await until('every order delivered', () => [stuck, ...others].every((order) => delivered(order.refNo).length === 3));

    expect(delivered(stuck.refNo)).toEqual(LIFECYCLE);
    const attempts = sent.filter((entry) => entry.orderRef === stuck.refNo && entry.name === 'order.placed');
    expect(attempts.map((entry) => entry.ok)).toEqual([false, false, true]);
    // Nothing of the stuck order went out before its first event did.
    const firstSuccess = attempts[2].at;
    expect(sent.filter((entry) => entry.orderRef === stuck.refNo && entry.name !== 'order.placed').every((e) => e.at >= firstSuccess)).toBe(
      true,
    );
    // The others did not wait for it.
    for (const order of others) {
      expect(delivered(order.refNo)).toEqual(LIFECYCLE);
      const done = sent.find((entry) => entry.orderRef === order.refNo && entry.name === 'order.completed')!;
      expect(done.at).toBeLessThan(firstSuccess);
    }
    // Each event once in effect.
    for (const order of [stuck, ...others]) expect(new Set(delivered(order.refNo)).size).toBe(3);
  });

  it('does not let the other instance take over work that runs three times its lease while its worker lives', async () => {
    const order = newOrder();
    slow.set(order.refNo, LEASE_MS * 3);
    await sendStatus(t(), order, 'COMPLETE');
    await until('the slow order delivered', () => delivered(order.refNo).length === 3, 30_000);
    await new Promise((done) => setTimeout(done, LEASE_MS * 2));
    // One send per event: the lease was renewed while the slow sends ran.
    const sends = sent.filter((entry) => entry.orderRef === order.refNo);
    expect(sends.map((entry) => entry.name)).toEqual(LIFECYCLE);
    expect(new Set(sends.map((entry) => entry.by)).size).toBe(1);
  });

  it('lists a dead item with its target and error; retried, it goes out after the key’s newer events', async () => {
    const order = newOrder();
    failFirst.set(order.refNo, 100); // fails every attempt
    await sendStatus(t(), order, 'PENDING');
    const retry = exponentialRetry(100, 4);
    const patience = Array.from({ length: 3 }, (_, i) => retry(i + 1)!).reduce((a, b) => a + b, 0) + 10_000;
    await until(
      'the item dead',
      async () =>
        (await admin(first, '/api/deliveries?status=dead&channel=webhook')).body.some((item: any) => item.key === `order:${order.refNo}`),
      patience,
    );
    const [dead] = (await admin(first, '/api/deliveries?status=dead&channel=webhook')).body.filter(
      (item: any) => item.key === `order:${order.refNo}`,
    );
    expect(dead).toMatchObject({ target: 'test:probe', eventName: 'order.placed', attempts: 4, lastError: `probe refused ${order.refNo}` });

    // A dead item holds its key back no more: the order's next events go out.
    await sendStatus(t(), order, 'COMPLETE');
    await until('the newer events', () => delivered(order.refNo).includes('order.completed'));
    expect(delivered(order.refNo)).toEqual(['order.payment_authorized', 'order.completed']);

    failFirst.set(order.refNo, 0);
    expect((await admin(first, `/api/deliveries/${dead.id}/retry`, 'POST')).status).toBe(200);
    await until('the retried one', () => delivered(order.refNo).includes('order.placed'));
    expect(delivered(order.refNo)).toEqual(['order.payment_authorized', 'order.completed', 'order.placed']);
    expect((await admin(first, `/api/deliveries/${dead.id}/retry`, 'POST')).status).toBe(404);
    const [{ action }] = await db.query(`SELECT action FROM admin_audit WHERE target = $1`, [dead.id]);
    expect(action).toBe('delivery.retry');
  }, 60_000);

  it('lets a stale lease settle nothing: an item, or a target’s position', async () => {
    const deliveries = first.app.get(DeliveryRepository);
    const [{ position }] = await db.query(`SELECT position::text AS position FROM event_log ORDER BY position DESC LIMIT 1`);
    await db.query(
      `INSERT INTO delivery_item (target, channel, key, seq, position, event_id, event_name)
       VALUES ('test:stale', 'webhook', 'stale', $1, $1, gen_random_uuid(), 'order.placed')`,
      [position],
    );
    const [mine] = await deliveries.claim(['test:stale'], 'a0000000-0000-4000-8000-000000000001', 10, 200);
    await new Promise((done) => setTimeout(done, 400));
    // Its holder looked dead (its lease ran out) and another worker took the item over.
    const [theirs] = await deliveries.claim(['test:stale'], 'b0000000-0000-4000-8000-000000000002', 10, 60_000);
    expect(theirs.id).toBe(mine.id);
    expect(await deliveries.renewItem(mine.id, 'a0000000-0000-4000-8000-000000000001', 60_000)).toBe(false);
    expect(await deliveries.settleDone(mine.id, 'a0000000-0000-4000-8000-000000000001')).toBe(false);
    expect(await deliveries.settleFailed(mine.id, 'a0000000-0000-4000-8000-000000000001', 'late', null)).toBe(false);
    expect(await deliveries.settleDone(theirs.id, 'b0000000-0000-4000-8000-000000000002')).toBe(true);

    await deliveries.register([{ name: 'test:stale-target', channel: 'webhook', startAt: 'beginning' }]);
    expect(await deliveries.leaseTarget('test:stale-target', 'a0000000-0000-4000-8000-000000000001', 200)).not.toBeNull();
    // Held: nobody else gets it.
    expect(await deliveries.leaseTarget('test:stale-target', 'b0000000-0000-4000-8000-000000000002', 60_000)).toBeNull();
    await new Promise((done) => setTimeout(done, 400));
    expect(await deliveries.leaseTarget('test:stale-target', 'b0000000-0000-4000-8000-000000000002', 60_000)).not.toBeNull();
    const target = { name: 'test:stale-target', channel: 'webhook' };
    expect(await deliveries.advance(target, 'a0000000-0000-4000-8000-000000000001', position, [])).toBe(false);
    expect(await deliveries.advance(target, 'b0000000-0000-4000-8000-000000000002', position, [])).toBe(true);
  });
});

/** Either instance: notifications reach both, as behind a load balancer. */
let turn = 0;
function t(): TestApp {
  turn += 1;
  return turn % 2 === 0 ? first : second;
}

afterEach(async () => {
  await drained(first);
});
