import { DataSource } from 'typeorm';
import { createEvent, EventFeed, EventLogRepository } from '../../src/core/events';
import { dataSourceOptions } from '../../src/database/data-source-options';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/run-migrations';
import { OrderCompletedEvent } from '../../src/modules/orders';
import { provisionTestDatabase } from '../setup/test-database';

let database: DatabaseEndpoint;
let dataSource: DataSource;
let log: EventLogRepository;
let feed: EventFeed;

beforeAll(async () => {
  database = await provisionTestDatabase();
  await runMigrations(database.url, { log: () => undefined });
  dataSource = new DataSource({ ...dataSourceOptions(database.url, 6), logging: false });
  await dataSource.initialize();
  log = new EventLogRepository(dataSource);
  feed = new EventFeed(log);
});

afterAll(async () => {
  await dataSource?.destroy();
  await database?.close();
});

function events(refNo: string, count: number) {
  return Array.from({ length: count }, () => ({
    event: createEvent(OrderCompletedEvent, { orderRef: refNo, test: true, data: { refNo } as never }),
    chainId: null,
  }));
}

/** A transaction held open by hand: the test decides when it appends and when it commits. */
async function openTransaction() {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  return runner;
}

/** Reads the feed from `cursor` until a page comes back empty; returns what it saw and where it stopped. */
async function follow(cursor: string | undefined): Promise<{ ids: string[]; next: string }> {
  const ids: string[] = [];
  let next = cursor;
  for (;;) {
    const page = await feed.page(next, 2, undefined);
    if (page.events.length === 0) return { ids, next: page.next };
    ids.push(...page.events.map((event) => event.eventId));
    next = page.next;
  }
}

async function waitingOnAdvisoryLock(): Promise<number> {
  const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
  return n;
}

describe('the event log as a feed', () => {
  it('gives a reader following next every event once, also of transactions that commit in another order than they started', async () => {
    const start = await follow(undefined);
    // A starts first and appends first; B starts after A and appends while A is still open.
    const a = await openTransaction();
    const b = await openTransaction();
    const [first, second, third] = [events('A', 3), events('B', 2), events('C', 1)];
    await log.append(a.manager, first);
    const bAppends = log.append(b.manager, second);
    // B waits for A: a position handed out now could otherwise become visible before A's lower ones.
    for (let i = 0; i < 50 && (await waitingOnAdvisoryLock()) === 0; i++) await new Promise((done) => setTimeout(done, 20));
    expect(await waitingOnAdvisoryLock()).toBe(1);
    // A reader between sees neither.
    const between = await follow(start.next);
    expect(between.ids).toEqual([]);
    expect(between.next).toBe(start.next);

    await a.commitTransaction();
    await bAppends;
    // Meanwhile a third transaction, started and committed in one go while B is still open, waits for B.
    const c = await openTransaction();
    const cAppends = log.append(c.manager, third);
    const afterA = await follow(between.next);
    expect(afterA.ids).toEqual(first.map(({ event }) => event.eventId));

    await b.commitTransaction();
    await cAppends;
    await c.commitTransaction();
    const rest = await follow(afterA.next);
    expect(rest.ids).toEqual([...second, ...third].map(({ event }) => event.eventId));
    await Promise.all([a.release(), b.release(), c.release()]);
  });

  it('misses nothing and repeats nothing under many concurrent appenders, some rolled back, read while they run', async () => {
    const start = await follow(undefined);
    const committed: string[] = [];
    let running = true;
    const seen: string[] = [];
    const reader = (async () => {
      let next = start.next;
      while (running || seen.length < committed.length) {
        const page = await feed.page(next, 7, undefined);
        seen.push(...page.events.map((event) => event.eventId));
        next = page.next;
        if (page.events.length === 0) await new Promise((done) => setTimeout(done, 5));
      }
    })();
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const runner = await openTransaction();
        try {
          const batch = events(`R${i}`, 1 + (i % 4));
          await new Promise((done) => setTimeout(done, (i * 7) % 23));
          await log.append(runner.manager, batch);
          await new Promise((done) => setTimeout(done, (i * 11) % 17));
          if (i % 5 === 4) {
            await runner.rollbackTransaction();
            return;
          }
          await runner.commitTransaction();
          committed.push(...batch.map(({ event }) => event.eventId));
        } finally {
          await runner.release();
        }
      }),
    );
    running = false;
    await reader;
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...committed].sort());
  });

  it('keeps an order’s events in the order they were raised, and filters by name and prefix', async () => {
    const start = await follow(undefined);
    const raised = events('ORDERED', 5);
    await dataSource.transaction((manager) => log.append(manager, raised));
    const page = await feed.page(start.next, 100, ['order.completed']);
    expect(page.events.map((event) => event.eventId)).toEqual(raised.map(({ event }) => event.eventId));
    expect((await feed.page(start.next, 100, ['order.*'])).events).toHaveLength(5);
    const none = await feed.page(start.next, 100, ['fulfillment.*']);
    expect(none.events).toEqual([]);
    // With a type, next moves past the rows looked at: the next page starts after them.
    expect(none.next).not.toBe(start.next);
    expect((await feed.page(none.next, 100, undefined)).events).toEqual([]);
  });
});
