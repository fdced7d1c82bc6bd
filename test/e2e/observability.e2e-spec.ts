import { Module } from '@nestjs/common';
import { Consumer, EventConsumer, EventOf } from '../../src/core/events';
import { sampleIpn, signForm } from '../../src/cli/sample-notification';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { OrderCompletedEvent } from '../../src/modules/orders';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY, TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { drained, newOrder, sendStatus } from '../setup/lifecycle';
import { TcpProxy } from '../setup/tcp-proxy';
import { provisionTestDatabase } from '../setup/test-database';

const METRICS_TOKEN = 'metrics-token-0123456789';

/** A consumer that fails for the orders it is told to: failures and dead letters on demand. */
@Consumer('test.flaky', OrderCompletedEvent)
class FlakyConsumer implements EventConsumer<EventOf<typeof OrderCompletedEvent>> {
  static readonly failFor = new Set<string>();

  async handle(events: ReadonlyArray<EventOf<typeof OrderCompletedEvent>>): Promise<void> {
    const failing = events.find((event) => FlakyConsumer.failFor.has(event.data.refNo));
    if (failing) throw new Error(`refusing ${failing.data.refNo}`);
  }
}

@Module({ providers: [FlakyConsumer] })
class FlakyModule {}

/** Every line the app logged, parsed (a line that is not JSON fails the test). */
const lines: Array<Record<string, any>> = [];
const raw: string[] = [];
const destination = {
  write(line: string) {
    raw.push(line);
    lines.push(JSON.parse(line));
  },
};

let database: DatabaseEndpoint;
let proxy: TcpProxy;
let t: TestApp;

beforeAll(async () => {
  database = await provisionTestDatabase();
  proxy = TcpProxy.forUrl(database.url);
  await proxy.start();
  t = await createTestApp(
    { ...database, url: proxy.rewrite(database.url) },
    { LOG_LEVEL: 'log', METRICS_TOKEN, OUTBOX_MAX_ATTEMPTS: '1', OUTBOX_POLL_MS: '50' },
    [FlakyModule],
    { logDestination: destination },
  );
});

afterAll(async () => {
  await t?.close();
  await proxy?.cut();
  await database?.close();
});

async function scrape(): Promise<string> {
  const response = await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
  return response.text();
}

/** The value of one sample (`name{labels}`), 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const series = (outcome: string) => `ipn_notifications_total{kind="ipn",listener="default",outcome="${outcome}"}`;

function signedIpn(refNo: string, email = `buyer-${refNo}@example.com`): string {
  const order = { ...newOrder({ refNo, email }), status: 'COMPLETE' };
  return signForm(sampleIpn(order), ['sha256'], TEST_SECRET_KEY);
}

describe('health', () => {
  it('is live, and ready with the database reachable and every migration applied', async () => {
    const live = await fetch(`${t.baseUrl}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      details: { database: { status: 'up' }, migrations: { status: 'up' } },
    });
  });

  it('is not ready (503, the failing check named) while the database is cut, and ready again after', async () => {
    await proxy.cut();
    try {
      const response = await fetch(`${t.baseUrl}/health/ready`);
      expect(response.status).toBe(503);
      const body: any = await response.json();
      expect(body).toMatchObject({ statusCode: 503, code: 'NOT_READY', status: 'error', error: { database: { status: 'down' } } });
      expect(body.message).toMatch(/^Not ready: database/);
      expect((await fetch(`${t.baseUrl}/health/live`)).status).toBe(200);
    } finally {
      await proxy.resume();
    }
    let status = 0;
    for (let tries = 0; tries < 50 && status !== 200; tries++) {
      status = (await fetch(`${t.baseUrl}/health/ready`)).status;
      if (status !== 200) await new Promise((done) => setTimeout(done, 100));
    }
    expect(status).toBe(200);
  });
});

describe('metrics', () => {
  it('wants the METRICS_TOKEN when it is set', async () => {
    expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
  });

  it('counts receipted, duplicate and refused notifications by outcome, and times receipts', async () => {
    const before = await scrape();
    const body = signedIpn('7100001');
    expect((await postForm(`${t.baseUrl}/ipn`, body)).status).toBe(200);
    expect((await postForm(`${t.baseUrl}/ipn`, body)).status).toBe(200);
    const forged = body.replace(/SIGNATURE_SHA2_256=[0-9a-f]+/, `SIGNATURE_SHA2_256=${'0'.repeat(64)}`);
    expect((await postForm(`${t.baseUrl}/ipn`, forged)).status).toBe(401);
    expect((await postForm(`${t.baseUrl}/ipn`, 'REFNO=1')).status).toBe(401);
    expect((await postForm(`${t.baseUrl}/ipn`, 'x'.repeat(2 * 1024 * 1024))).status).toBe(413);
    expect((await postForm(`${t.baseUrl}/ipn/nobody`, body)).status).toBe(404);

    const after = await scrape();
    const delta = (name: string) => sample(after, name) - sample(before, name);
    expect(delta(series('receipted'))).toBe(1);
    expect(delta(series('duplicate'))).toBe(1);
    expect(delta(series('signature_invalid'))).toBe(1);
    expect(delta(series('signature_missing'))).toBe(1);
    expect(delta(series('payload_too_large'))).toBe(1);
    expect(delta(`ipn_notifications_total{kind="ipn",listener="unknown",outcome="unknown_listener"}`)).toBe(1);
    expect(delta('ipn_receipt_duration_seconds_count{kind="ipn"}')).toBe(2);
    expect(after).toMatch(/^events_pending \d+$/m);
    expect(after).toMatch(/^events_oldest_pending_age_seconds [\d.e+-]+$/m);
    expect(after).toMatch(/^events_dead_letters \d+$/m);
    expect(after).toMatch(/^process_cpu_user_seconds_total /m);
    expect(after).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('attributes a failed delivery to its consumer, and counts the dead letter', async () => {
    const order = newOrder();
    FlakyConsumer.failFor.add(order.refNo);
    await sendStatus(t, order, 'COMPLETE');
    await drained(t);
    await new Promise((done) => setTimeout(done, 1100)); // the backlog sample is cached for a second
    const text = await scrape();
    expect(sample(text, 'consumer_failures_total{consumer="test.flaky"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'events_dead_letters')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'events_pending')).toBe(0);
  });
});

describe('logs', () => {
  it('writes JSON lines; each notification once, with request id, listener, REFNO, ORDERSTATUS, outcome and duration', async () => {
    const body = signedIpn('7100002', 'jane.doe@example.com');
    const response = await postForm(`${t.baseUrl}/ipn`, body);
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    await drained(t);
    await new Promise((done) => setTimeout(done, 200));

    const mine = lines.filter((line) => line.reqId === requestId && line.outcome);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      level: 'info',
      msg: 'IPN receipted',
      kind: 'ipn',
      listener: 'default',
      refNo: '7100002',
      orderStatus: 'COMPLETE',
      outcome: 'receipted',
      statusCode: 200,
    });
    expect(mine[0].durationMs).toBeGreaterThan(0);
    expect(typeof mine[0].time).toBe('string');

    // The customer messages say which message went to which masked address.
    const messages = lines.filter((line) => line.messageId && line.recipient === 'j***@example.com');
    expect(messages.length).toBeGreaterThanOrEqual(1);
    expect(messages[0].msg).toMatch(/^Message [0-9a-f-]{36} \(\w+\) to j\*\*\*@example\.com: /);
  });

  it('logs a refusal with its reason, and the admin API calls with their request id', async () => {
    const response = await postForm(`${t.baseUrl}/ipn`, 'REFNO=7100003&ORDERSTATUS=COMPLETE');
    const refused = lines.find((line) => line.reqId === response.headers.get('x-request-id') && line.outcome);
    expect(refused).toMatchObject({ outcome: 'signature_missing', refNo: '7100003', statusCode: 401, level: 'info' });

    const admin = await fetch(`${t.baseUrl}/api/customers?email=jane.doe%40example.com`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'x-request-id': 'support-case-42' },
    });
    expect(admin.headers.get('x-request-id')).toBe('support-case-42');
    await new Promise((done) => setTimeout(done, 50));
    const line = lines.find((candidate) => candidate.reqId === 'support-case-42' && candidate.res);
    expect(line).toMatchObject({ req: { method: 'GET', url: '/api/customers?email=j***%40example.com' }, res: { statusCode: 200 } });
  });

  it('never writes a secret, a token, a customer email or name, or a raw body', () => {
    const all = raw.join('');
    expect(lines.length).toBeGreaterThan(10);
    for (const secret of [
      TEST_SECRET_KEY,
      TEST_ADMIN_TOKEN,
      METRICS_TOKEN,
      'jane.doe@example.com',
      'jane.doe%40example.com',
      'buyer-',
      "O'Brien",
      'Zo\u00eb',
    ]) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toMatch(/SIGNATURE_SHA2_256=|IPN_PNAME%5B/);
  });
});
