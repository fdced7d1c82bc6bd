import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { sampleIpn, signForm } from '../../src/cli/sample-notification';
import { AlertsService } from '../../src/core/observability';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TEST_SECRET_KEY, TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { newOrder } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';

/**
 * Three instances of the service on one database, as behind a load balancer: each alert is judged by one
 * of them at a time, over the notifications all of them received.
 */

const WINDOW_MS = 3000;
const FORGED = `REFNO=1&SIGNATURE_SHA2_256=${'0'.repeat(64)}`;

/** What the webhook receiver got, in order. */
const received: Array<Record<string, any>> = [];
/** Every instance's log lines (Nest's loggers write through one pino instance per process anyway). */
const lines: Array<Record<string, any>> = [];
const logDestination = { write: (line: string) => void lines.push(JSON.parse(line)) };
let receiver: Server;
let database: DatabaseEndpoint;
const instances: TestApp[] = [];
const closed = new Set<TestApp>();

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  database = await provisionTestDatabase();
  const env = {
    LOG_LEVEL: 'log',
    ALERT_INTERVAL_MS: '100',
    ALERT_WINDOW: `${WINDOW_MS / 1000}s`,
    ALERT_REFUSAL_RATE: '0.5',
    ALERT_RECEIPT_P99_MS: '250',
    ALERT_DEAD_LETTERS: 'off',
    ALERT_OLDEST_PENDING_SECONDS: 'off',
    ALERT_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`,
    ALERT_WEBHOOK_SECRET: 'alert-webhook-secret-0123456789',
  };
  // Started together on the fresh database: they migrate one after another (the migrations lock).
  const start = () => createTestApp(database, env, [], { logDestination });
  instances.push(...(await Promise.all([start(), start(), start()])));
});

afterAll(async () => {
  await Promise.all(instances.filter((t) => !closed.has(t)).map((t) => t.close()));
  await database?.close();
  await new Promise((done) => receiver?.close(done));
});

async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 25));
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const running = () => instances.filter((t) => !closed.has(t));
const evaluators = (alert: string) => running().filter((t) => t.app.get(AlertsService).evaluatedHere().includes(alert));
const notices = (alert: string, from = 0) => received.slice(from).filter((notice) => notice.alert === alert);
/** The alert's log lines (error: raised, info: recovered) from every instance. */
const logged = (alert: string, from = 0) =>
  lines
    .slice(from)
    .filter((line) => line.context === 'Alerts' && line.alert?.alert === alert)
    .map((line) => [line.level, line.alert.status]);

/** Fewer than 5 (the least the rate is judged on) to each instance: only their sum can raise the alert. */
async function forgedToEach(perInstance: number): Promise<void> {
  for (const t of running()) for (let i = 0; i < perInstance; i++) expect((await postForm(`${t.baseUrl}/ipn`, FORGED)).status).toBe(401);
}

/** A signed notification whose body arrives in two halves `pauseMs` apart: a receipt that slow. */
function slowIpn(t: TestApp, pauseMs: number): Promise<number> {
  const body = Buffer.from(signForm(sampleIpn({ ...newOrder(), status: 'COMPLETE' }), ['sha256'], TEST_SECRET_KEY));
  const url = new URL(`${t.baseUrl}/ipn`);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.write(body.subarray(0, body.length >> 1));
    setTimeout(() => request.end(body.subarray(body.length >> 1)), pauseMs);
  });
}

async function receiptCount(t: TestApp): Promise<number> {
  const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith('ipn_receipt_duration_seconds_count{kind="ipn"} '));
  return line ? Number(line.split(' ')[1]) : 0;
}

it('judges each alert in one instance at a time', async () => {
  await until('an instance judging each alert', () => evaluators('refusal_rate').length > 0 && evaluators('receipt_p99').length > 0);
  await sleep(300);
  expect(evaluators('refusal_rate')).toHaveLength(1);
  expect(evaluators('receipt_p99')).toHaveLength(1);
});

it('raises one refusal-rate alert for refusals spread over the instances, and one recovery', async () => {
  const from = received.length;
  const fromLine = lines.length;
  await forgedToEach(3);
  await until('the alert', () => notices('refusal_rate', from).length === 1);
  expect(notices('refusal_rate', from)[0]).toMatchObject({ status: 'firing', value: 1, threshold: 0.5 });
  expect(await instances[0].app.get(AlertsService).active()).toEqual([
    { alert: 'refusal_rate', startedAt: notices('refusal_rate', from)[0].startedAt },
  ]);

  await until('the recovery', () => notices('refusal_rate', from).length === 2);
  await sleep(500);
  const episode = notices('refusal_rate', from);
  expect(episode.map((notice) => notice.status)).toEqual(['firing', 'resolved']);
  expect(episode[1].startedAt).toBe(episode[0].startedAt);
  expect(logged('refusal_rate', fromLine)).toEqual([
    ['error', 'firing'],
    ['info', 'resolved'],
  ]);
  expect(await instances[1].app.get(AlertsService).active()).toEqual([]);
});

it('raises the receipt-p99 alert from slow receipts on an instance that does not judge it', async () => {
  const [judge] = evaluators('receipt_p99');
  const slow = running().find((t) => t !== judge)!;
  const before = await Promise.all(running().map(receiptCount));
  const from = received.length;

  expect(await Promise.all(Array.from({ length: 6 }, () => slowIpn(slow, 400)))).toEqual([200, 200, 200, 200, 200, 200]);
  // Only the slow instance saw them; its own metrics say so.
  const after = await Promise.all(running().map(receiptCount));
  expect(after.map((count, i) => count - before[i])).toEqual(running().map((t) => (t === slow ? 6 : 0)));

  await until('the alert', () => notices('receipt_p99', from).length === 1);
  const [firing] = notices('receipt_p99', from);
  expect(firing).toMatchObject({ status: 'firing', unit: 'ms', threshold: 250 });
  expect(firing.value).toBeGreaterThanOrEqual(400);
  expect(evaluators('receipt_p99')).toEqual([judge]);

  await until('the recovery', () => notices('receipt_p99', from).length === 2, WINDOW_MS + 10_000);
  expect(notices('receipt_p99', from).map((notice) => notice.status)).toEqual(['firing', 'resolved']);
});

it('carries an episode over when its judge closes: no second alert, the recovery from the new judge', async () => {
  const from = received.length;
  const fromLine = lines.length;
  await forgedToEach(3);
  await until('the alert', () => notices('refusal_rate', from).length === 1);
  const [judge] = evaluators('refusal_rate');

  // The refusals go on while the judge leaves: the episode is still under way when another takes over.
  let refusing = true;
  const others = running().filter((t) => t !== judge);
  const refusals = (async () => {
    for (let i = 0; refusing; i++) {
      await postForm(`${others[i % others.length].baseUrl}/ipn`, FORGED);
      await sleep(100);
    }
  })();
  closed.add(judge);
  await judge.close();
  await until('a new judge', () => evaluators('refusal_rate').length === 1);
  const [successor] = evaluators('refusal_rate');
  expect(others).toContain(successor);
  // Several evaluations by the new judge with the rate still above the threshold.
  await sleep(1000);
  expect(notices('refusal_rate', from)).toHaveLength(1);
  refusing = false;
  await refusals;

  await until('the recovery', () => notices('refusal_rate', from).length === 2, WINDOW_MS + 10_000);
  await sleep(500);
  const episode = notices('refusal_rate', from);
  expect(episode.map((notice) => notice.status)).toEqual(['firing', 'resolved']);
  expect(episode[1].startedAt).toBe(episode[0].startedAt);
  expect(logged('refusal_rate', fromLine)).toEqual([
    ['error', 'firing'],
    ['info', 'resolved'],
  ]);
  expect(evaluators('refusal_rate')).toEqual([successor]);
});
