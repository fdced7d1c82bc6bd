import { createHmac, timingSafeEqual } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { Module } from '@nestjs/common';
import { Consumer, EventConsumer, EventOf } from '../../src/core/events';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { OrderCompletedEvent } from '../../src/modules/orders';
import { TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { admin, drained, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';

const WEBHOOK_SECRET = 'alert-webhook-secret-0123456789';

@Consumer('test.breaks-on-demand', OrderCompletedEvent)
class BreaksOnDemand implements EventConsumer<EventOf<typeof OrderCompletedEvent>> {
  static broken = false;

  async handle(): Promise<void> {
    if (BreaksOnDemand.broken) throw new Error('the CRM is down');
  }
}

@Module({ providers: [BreaksOnDemand] })
class BreaksOnDemandModule {}

/** What the webhook receiver got, each with whether its X-Signature checked out. */
const received: Array<{ body: Record<string, any>; signed: boolean }> = [];
const lines: Array<Record<string, any>> = [];

let receiver: Server;
let database: DatabaseEndpoint;
let t: TestApp;

function verify(body: Buffer, header: string | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ body: JSON.parse(body.toString('utf8')), signed: verify(body, request.headers['x-signature'] as string) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  database = await provisionTestDatabase();
  t = await createTestApp(
    database,
    {
      LOG_LEVEL: 'log',
      OUTBOX_MAX_ATTEMPTS: '1',
      OUTBOX_POLL_MS: '50',
      ALERT_INTERVAL_MS: '100',
      ALERT_WINDOW: '2s',
      ALERT_REFUSAL_RATE: '0.5',
      ALERT_DEAD_LETTERS: '1',
      ALERT_OLDEST_PENDING_SECONDS: 'off',
      ALERT_RECEIPT_P99_MS: 'off',
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`,
      ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    },
    [BreaksOnDemandModule],
    { logDestination: { write: (line: string) => void lines.push(JSON.parse(line)) } },
  );
});

afterAll(async () => {
  await t?.close();
  await database?.close();
  await new Promise((done) => receiver?.close(done));
});

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

const notices = (alert: string) => received.filter(({ body }) => body.alert === alert);

it('raises the refusal-rate alert once for a burst of forged notifications, and clears it once', async () => {
  for (let i = 0; i < 8; i++)
    expect((await postForm(`${t.baseUrl}/ipn`, `REFNO=${i}&SIGNATURE_SHA2_256=${'0'.repeat(64)}`)).status).toBe(401);
  await until('the alert', () => notices('refusal_rate').length === 1);
  const [firing] = notices('refusal_rate');
  expect(firing).toMatchObject({
    signed: true,
    body: { alert: 'refusal_rate', status: 'firing', value: 1, threshold: 0.5, service: 'ipn-backend' },
  });
  expect(lines).toContainEqual(
    expect.objectContaining({ level: 'error', context: 'Alerts', alert: expect.objectContaining({ alert: 'refusal_rate' }) }),
  );

  // The window (2 s) passes with no more refusals: one recovery, and nothing more.
  await until('the recovery', () => notices('refusal_rate').length === 2);
  await new Promise((done) => setTimeout(done, 500));
  expect(notices('refusal_rate').map(({ body, signed }) => [body.status, signed])).toEqual([
    ['firing', true],
    ['resolved', true],
  ]);
  expect(notices('refusal_rate')[1].body.startedAt).toBe(firing.body.startedAt);
});

it('raises the dead-letter alert once while a delivery is dead, and clears it once it is retried', async () => {
  BreaksOnDemand.broken = true;
  await sendStatus(t, newOrder(), 'COMPLETE');
  await drained(t);
  await until('the alert', () => notices('dead_letters').length === 1);
  expect(notices('dead_letters')[0]).toMatchObject({ signed: true, body: { status: 'firing', value: 1, threshold: 1, unit: 'events' } });

  BreaksOnDemand.broken = false;
  const { body: dead } = await admin(t, '/api/events/dead-letters');
  expect(dead).toHaveLength(1);
  expect((await admin(t, `/api/events/${dead[0].id}/retry`, 'POST')).status).toBe(200);
  await drained(t);
  await until('the recovery', () => notices('dead_letters').length === 2);
  await new Promise((done) => setTimeout(done, 1500));
  expect(notices('dead_letters').map(({ body }) => body.status)).toEqual(['firing', 'resolved']);
  expect(lines.filter((line) => line.alert?.alert === 'dead_letters').map((line) => line.level)).toEqual(['error', 'info']);
});
