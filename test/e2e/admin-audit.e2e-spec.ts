import { createHash, randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consumer, EventConsumer, UnprocessableEventError } from '../../src/core/events';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { IpnReceivedEvent } from '../../src/modules/ipn';
import { TEST_ADMIN_TOKEN, TestApp, createTestApp } from '../setup/create-test-app';
import { drained, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';

/** A consumer that cannot process one order, until told otherwise: its event becomes a dead letter. */
@Consumer('test.audit-poison', IpnReceivedEvent)
class PoisonConsumer implements EventConsumer<IpnReceivedEvent> {
  static readonly refNos = new Set<string>();

  async handle(events: readonly IpnReceivedEvent[]): Promise<void> {
    const poisoned = events.find((event) => PoisonConsumer.refNos.has(event.orderRef ?? ''));
    if (poisoned) throw new UnprocessableEventError(`cannot apply ${poisoned.orderRef}`);
  }
}

@Module({ providers: [PoisonConsumer] })
class PoisonModule {}

let database: DatabaseEndpoint;
let t: TestApp;

beforeAll(async () => {
  database = await provisionTestDatabase();
  // The default limit (60 a minute); X-Forwarded-For from loopback names the caller's address.
  t = await createTestApp(database, { ADMIN_REQUESTS_PER_MINUTE: '', OUTBOX_POLL_MS: '20', TRUST_PROXY: 'loopback' }, [PoisonModule]);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

const FINGERPRINT = createHash('sha256').update(TEST_ADMIN_TOKEN).digest('hex').slice(0, 8);

async function call(path: string, options: { method?: string; token?: string; from?: string; body?: unknown } = {}) {
  const response = await fetch(`${t.baseUrl}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      authorization: `Bearer ${options.token ?? TEST_ADMIN_TOKEN}`,
      'x-forwarded-for': options.from ?? '198.51.100.1',
      ...(options.body ? { 'content-type': 'application/json' } : {}),
    },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

describe('audit log', () => {
  it('records each replay and retry with who (token fingerprint, address), what, target, when and outcome', async () => {
    const started = Date.now();
    const order = newOrder({ status: 'COMPLETE' });
    const poisoned = newOrder({ status: 'COMPLETE' });
    PoisonConsumer.refNos.add(poisoned.refNo);
    await sendStatus(t, order, 'COMPLETE');
    await sendStatus(t, poisoned, 'COMPLETE');
    await drained(t);
    const [message] = (await call(`/api/ipn/messages?refNo=${order.refNo}`)).body;
    const [deadLetter] = (await call('/api/events/dead-letters')).body.filter((letter: any) => letter.orderRef === poisoned.refNo);
    PoisonConsumer.refNos.delete(poisoned.refNo);
    const unknown = randomUUID();
    const range = { from: new Date(started - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };

    expect((await call(`/api/ipn/messages/${message.id}/replay`, { method: 'POST', from: '203.0.113.7' })).status).toBe(200);
    expect((await call(`/api/ipn/messages/${unknown}/replay`, { method: 'POST' })).status).toBe(404);
    expect((await call(`/api/events/${deadLetter.id}/retry`, { method: 'POST' })).status).toBe(200);
    expect((await call(`/api/events/${unknown}/retry`, { method: 'POST' })).status).toBe(404);
    expect((await call('/api/ipn/messages/replay', { method: 'POST', body: range })).body).toMatchObject({ replayed: 2 });
    expect((await call('/api/ipn/messages/not-a-uuid/replay', { method: 'POST' })).status).toBe(400);

    const entries = (await call('/api/audit')).body;
    const who = { tokenFingerprint: FINGERPRINT, remoteAddress: '198.51.100.1', count: 1 };
    expect(entries.map(({ id: _id, at: _at, finishedAt: _finished, ...rest }: any) => rest)).toEqual([
      { ...who, action: 'ipn.message.replay', target: 'not-a-uuid', outcome: 'rejected', detail: 'HTTP 400' },
      { ...who, action: 'ipn.messages.replay_range', target: `${range.from}..${range.to}`, outcome: 'done', detail: '2 replayed' },
      { ...who, action: 'event.retry', target: unknown, outcome: 'not_found', detail: 'NOT_FOUND' },
      { ...who, action: 'event.retry', target: deadLetter.id, outcome: 'done', detail: null },
      { ...who, action: 'ipn.message.replay', target: unknown, outcome: 'not_found', detail: 'NOT_FOUND' },
      { ...who, remoteAddress: '203.0.113.7', action: 'ipn.message.replay', target: message.id, outcome: 'done', detail: null },
      // The stored notifications hold the customer's form: their read is recorded (the dead letters' is not).
      { ...who, action: 'ipn.messages.read', target: `refNo=${order.refNo}`, outcome: 'done', detail: null },
    ]);
    for (const entry of entries) {
      expect(new Date(entry.at).getTime()).toBeGreaterThanOrEqual(started - 1000);
      expect(new Date(entry.finishedAt).getTime()).toBeGreaterThanOrEqual(new Date(entry.at).getTime());
    }
    // Paging, and the token itself nowhere in the table.
    expect((await call(`/api/audit?limit=2&before=${encodeURIComponent(entries[1].at)}`)).body.map((e: any) => e.id)).toEqual(
      entries.slice(2, 4).map((e: any) => e.id),
    );
    const stored = await t.app.get(DataSource).query(`SELECT row_to_json(a)::text AS row FROM admin_audit a`);
    expect(stored.filter((row: any) => row.row.includes(TEST_ADMIN_TOKEN))).toEqual([]);
    expect((await call('/api/audit?limit=0')).body).toMatchObject({ statusCode: 400, code: 'BAD_REQUEST' });
  });
});

describe('rate limit', () => {
  it('allows ADMIN_REQUESTS_PER_MINUTE (60) calls per token and address in a minute, then 429 ADMIN_TOO_MANY_REQUESTS with Retry-After', async () => {
    const from = '192.0.2.10';
    const first = await call('/api/audit?limit=1', { from });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('60');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('59');
    const statuses = [];
    for (let i = 0; i < 59; i++) statuses.push((await call('/api/audit?limit=1', { from })).status);
    expect(statuses).toEqual(Array(59).fill(200));

    const refused = await call('/api/audit?limit=1', { from });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      statusCode: 429,
      code: 'ADMIN_TOO_MANY_REQUESTS',
      message: expect.stringMatching(/More than 60 admin API calls within a minute/),
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // A replay while throttled is neither done nor recorded.
    const before = (await call('/api/audit?limit=1000', { from: '192.0.2.99' })).body.length;
    expect((await call(`/api/ipn/messages/${randomUUID()}/replay`, { method: 'POST', from })).status).toBe(429);
    expect((await call('/api/audit?limit=1000', { from: '192.0.2.99' })).body.length).toBe(before);

    // The same token from another address has its own budget.
    expect((await call('/api/audit?limit=1', { from: '192.0.2.11' })).status).toBe(200);
  });

  it('counts calls with a wrong or no token together per address, so guessing the token is throttled too', async () => {
    const from = '192.0.2.20';
    const guesses = [];
    for (let i = 0; i < 60; i++) guesses.push((await call('/api/audit', { from, token: `guess-${i}-0123456789abcdef` })).status);
    expect(guesses).toEqual(Array(60).fill(401));
    expect((await call('/api/audit', { from, token: 'one-more-guess-0123456789' })).body).toMatchObject({
      statusCode: 429,
      code: 'ADMIN_TOO_MANY_REQUESTS',
    });
    // The real token from that address is not blocked by the guesses.
    expect((await call('/api/audit?limit=1', { from })).status).toBe(200);
  });
});
