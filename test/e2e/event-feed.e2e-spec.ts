import { DataSource } from 'typeorm';
import { OutboxRetention } from '../../src/core/events';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TEST_ADMIN_TOKEN, TestApp, createTestApp } from '../setup/create-test-app';
import { drained, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';

const EVENTS_TOKEN = 'events-reader-token-0123456789';

let database: DatabaseEndpoint;
let t: TestApp;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database, { EVENTS_TOKEN, EVENTS_REQUESTS_PER_MINUTE: '400', OUTBOX_POLL_MS: '50' });
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

async function page(query: string, token = EVENTS_TOKEN): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${t.baseUrl}/api/events${query}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** Follows next from `after` until an empty page; every event seen, in order. */
async function readAll(after?: string, type?: string): Promise<{ events: any[]; next: string }> {
  const events: any[] = [];
  let next = after;
  for (;;) {
    const params = new URLSearchParams({ limit: '7', ...(next && { after: next }), ...(type && { type }) });
    const { status, body } = await page(`?${params}`);
    expect(status).toBe(200);
    events.push(...body.events);
    if (body.next === next && body.events.length === 0) return { events, next: body.next };
    next = body.next;
  }
}

describe('GET /api/events', () => {
  it('serves every domain event once, oldest first, as envelopes; an order’s in the order they were raised', async () => {
    const start = await readAll();
    const orders = Array.from({ length: 4 }, () => newOrder());
    for (const order of orders) await sendStatus(t, order, 'COMPLETE');
    await drained(t);
    const { events } = await readAll(start.next);
    expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
    for (const order of orders) {
      const names = events.filter((event) => event.orderRef === order.refNo).map((event) => event.name);
      expect(names.slice(0, 3)).toEqual(['order.placed', 'order.payment_authorized', 'order.completed']);
      expect(names).toEqual(expect.arrayContaining(['account.created', 'fulfillment.granted', 'engagement.recorded']));
    }
    const completed = events.find((event) => event.name === 'order.completed' && event.orderRef === orders[0].refNo);
    expect(Object.keys(completed).sort()).toEqual(
      ['causationId', 'correlationId', 'data', 'eventId', 'name', 'occurredAt', 'orderRef', 'test', 'version'].sort(),
    );
    expect(completed).toMatchObject({ version: 1, test: true, data: { refNo: orders[0].refNo, status: 'COMPLETE' } });
    expect(new Date(completed.occurredAt).toISOString()).toBe(completed.occurredAt);
  });

  it('filters by a name or a prefix; next moves past what was looked at; an empty page returns the cursor it was given', async () => {
    const start = await readAll();
    const order = newOrder();
    await sendStatus(t, order, 'COMPLETE');
    await drained(t);
    const granted = await readAll(start.next, 'fulfillment.granted');
    expect(granted.events.map((event) => event.name)).toEqual(['fulfillment.granted']);
    const orderEvents = await readAll(start.next, 'order.*');
    expect(orderEvents.events.map((event) => event.name)).toEqual(['order.placed', 'order.payment_authorized', 'order.completed']);
    // Past the end: the same cursor back, with nothing.
    const empty = await page(`?after=${granted.next}`);
    expect(empty.body).toEqual({ events: [], next: granted.next });
    // The filtered reader's cursor is past the unfiltered events too.
    expect((await page(`?after=${granted.next}`)).body.events).toEqual([]);
  });

  it('answers 400 to a bad cursor, limit or type, and 410 to a cursor older than the retained log', async () => {
    expect((await page('?after=not-a-cursor')).body).toMatchObject({ statusCode: 400, code: 'EVENTS_CURSOR_INVALID' });
    expect((await page('?limit=0')).status).toBe(400);
    expect((await page('?limit=1001')).status).toBe(400);
    expect((await page('?type=order.*;drop')).status).toBe(400);
    const oldest = (await page('?limit=1')).body.next;
    const order = newOrder();
    await sendStatus(t, order, 'COMPLETE');
    await drained(t);
    // Retention deletes everything logged so far (as if EVENT_RETENTION had passed).
    await t.app.get(OutboxRetention).purgeLogOnce(new Date(Date.now() + 30 * 86_400_000));
    const gone = await page(`?after=${oldest}`);
    expect(gone.status).toBe(410);
    expect(gone.body.code).toBe('EVENTS_CURSOR_EXPIRED');
    // Without a cursor, the feed starts at the oldest retained event again.
    expect((await page('')).status).toBe(200);
  });

  it('is read with EVENTS_TOKEN or the admin token, nothing else; EVENTS_TOKEN reads nothing but the feed and leaves no audit row', async () => {
    expect((await page('', TEST_ADMIN_TOKEN)).status).toBe(200);
    expect((await page('', 'wrong-token-wrong-token')).status).toBe(401);
    const orders = await fetch(`${t.baseUrl}/api/orders/1`, { headers: { authorization: `Bearer ${EVENTS_TOKEN}` } });
    expect(orders.status).toBe(401);
    const [{ n }] = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM admin_audit WHERE action LIKE 'event%'`);
    expect(n).toBe(0);
  });

  it('gives EVENTS_TOKEN a budget of its own (EVENTS_REQUESTS_PER_MINUTE): 429 with Retry-After beyond it', async () => {
    let refused: { status: number; body: any; headers: Headers } | undefined;
    for (let i = 0; i < 450 && !refused; i++) {
      const answer = await page('?limit=1');
      if (answer.status === 429) refused = answer;
    }
    expect(refused?.body.code).toBe('EVENTS_TOO_MANY_REQUESTS');
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    // The admin token's budget is its own.
    expect((await page('?limit=1', TEST_ADMIN_TOKEN)).status).toBe(200);
  });
});
