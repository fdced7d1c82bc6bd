import { DataSource, EntityManager } from 'typeorm';
import { BatchConsumer, BatchConsumers, DomainEvent, OutboxWriter } from '../../src/core/events';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { provisionTestDatabase } from '../setup/test-database';

/** BatchConsumers on a real database: claims, shares, raised events, and what a failure leaves. */
let database: DatabaseEndpoint;
let t: TestApp;
let dataSource: DataSource;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database, { OUTBOX_RELAY: 'off' });
  dataSource = t.app.get(DataSource);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

let sequence = 0;
function event(name: string): DomainEvent {
  sequence += 1;
  return {
    eventId: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    name,
    version: 1,
    occurredAt: new Date().toISOString(),
    orderRef: `R${sequence}`,
    test: true,
    causationId: null,
    data: {},
  };
}

/** Records what it was given; raises `<name>.seen` for each event; throws on events named in `failOn`. */
function recorder(consumer: string, events: string[], failOn = new Set<string>()) {
  const received: string[][] = [];
  const instance: BatchConsumer = {
    consumer,
    events,
    async handle(batch: readonly DomainEvent[], manager: EntityManager) {
      received.push(batch.map((e) => e.eventId));
      await manager.query(`SELECT 1`); // work in the batch's transaction
      if (batch.some((e) => failOn.has(e.eventId))) throw new Error(`${consumer} cannot take it`);
      return batch.map((e) => ({ ...event(`${e.name}.seen`), causationId: e.eventId }));
    },
  };
  return { instance, received };
}

async function raisedFor(causes: DomainEvent[]): Promise<string[]> {
  const rows = await dataSource.query(`SELECT payload->>'causationId' AS cause FROM outbox_event WHERE payload->>'causationId' = ANY($1)`, [
    causes.map((e) => e.eventId),
  ]);
  return rows.map((row: { cause: string }) => row.cause).sort();
}

it('gives each consumer its share in order, once, and appends what they raise with the batch', async () => {
  const consumers = new BatchConsumers(new OutboxWriter());
  const paid = recorder('test.paid', ['order.paid']);
  const any = recorder('test.any', ['order.paid', 'order.placed']);
  consumers.register(paid.instance);
  consumers.register(any.instance);
  const batch = [event('order.placed'), event('order.paid'), event('order.placed'), event('order.paid')];

  await dataSource.transaction((manager) => consumers.run(batch, manager));
  expect(paid.received).toEqual([[batch[1].eventId, batch[3].eventId]]);
  expect(any.received).toEqual([batch.map((e) => e.eventId)]);
  expect(await raisedFor(batch)).toEqual([batch[0], batch[1], batch[1], batch[2], batch[3], batch[3]].map((e) => e.eventId).sort());

  // Delivered again (at least once): nobody is handed anything, nothing more is raised.
  await dataSource.transaction((manager) => consumers.run(batch, manager));
  expect(paid.received).toHaveLength(1);
  expect(any.received).toHaveLength(1);
  expect(await raisedFor(batch)).toHaveLength(6);
});

it('leaves nothing of a batch a consumer failed: no claims, no raised events', async () => {
  const consumers = new BatchConsumers(new OutboxWriter());
  const batch = [event('order.paid'), event('order.paid')];
  const healthy = recorder('test.healthy', ['order.paid']);
  const failing = recorder('test.failing', ['order.paid'], new Set([batch[1].eventId]));
  consumers.register(healthy.instance);
  consumers.register(failing.instance);

  await expect(dataSource.transaction((manager) => consumers.run(batch, manager))).rejects.toThrow('test.failing cannot take it');
  expect(await raisedFor(batch)).toEqual([]);
  const claims = await dataSource.query(`SELECT 1 FROM processed_event WHERE event_id = ANY($1)`, [batch.map((e) => e.eventId)]);
  expect(claims).toHaveLength(0);

  // One by one, each consumer in its own transaction: the failure stays with its consumer and event.
  await consumers.runEach(batch[0], (work) => dataSource.transaction(work));
  await expect(consumers.runEach(batch[1], (work) => dataSource.transaction(work))).rejects.toThrow('test.failing cannot take it');
  expect(await raisedFor(batch)).toEqual([batch[0].eventId, batch[0].eventId, batch[1].eventId].sort());
  // Retried, only the consumer that failed is handed the event again.
  healthy.received.length = 0;
  failing.received.length = 0;
  await expect(consumers.runEach(batch[1], (work) => dataSource.transaction(work))).rejects.toThrow();
  expect(healthy.received).toEqual([]);
  expect(failing.received).toEqual([[batch[1].eventId]]);
});
