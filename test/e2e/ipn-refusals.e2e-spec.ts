import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DEFAULT_PRODUCTS, SampleOrder, sampleIpn, signForm } from '../../src/cli/sample-notification';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { RecordRejectionService } from '../../src/modules/ipn/application/record-rejection.service';
import { TEST_SECRET_KEY, TestApp, createTestApp } from '../setup/create-test-app';
import { expectedReceipt, receiptDateOf } from '../setup/independent-receipt';
import { provisionTestDatabase } from '../setup/test-database';

/**
 * Hostile senders, over real HTTP and PostgreSQL, with the default budgets (IPN_REFUSALS_PER_MINUTE 30,
 * IPN_REFUSAL_RECORDS_PER_MINUTE 100) behind a trusted proxy (TRUST_PROXY=loopback, X-Forwarded-For):
 * forged posts never cost an authentic notification its receipt, cost a bounded number of rows and
 * log lines whatever the number of senders, and are answered without waiting for the database.
 */
const RECORDS_PER_MINUTE = 100;
let database: DatabaseEndpoint;
let t: TestApp;
let db: DataSource;
let sequence = 0;
const lines: Array<Record<string, any>> = [];

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database, { TRUST_PROXY: 'loopback', LOG_LEVEL: 'log' }, [], {
    logDestination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  db = t.app.get(DataSource);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

function order(): SampleOrder {
  sequence += 1;
  return {
    refNo: `9300${sequence}`,
    status: 'COMPLETE',
    email: `refusals${sequence}@example.com`,
    test: true,
    products: DEFAULT_PRODUCTS,
    messageId: `r-${sequence}`,
    ipnDate: '20261125100000',
  };
}

const forged = () => signForm(sampleIpn(order()), ['sha256'], 'not-the-key');

/** A POST as if from `from` (through the trusted proxy), or straight from the proxy without it. */
async function post(body: string, from?: string): Promise<{ status: number; text: string; retryAfter: string | null; ms: number }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (from) headers['x-forwarded-for'] = from;
  const started = performance.now();
  const response = await fetch(`${t.baseUrl}/ipn`, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, text, retryAfter: response.headers.get('retry-after'), ms: performance.now() - started };
}

async function expectReceipted(from?: string): Promise<void> {
  const sample = order();
  const { status, text } = await post(signForm(sampleIpn(sample), ['sha256'], TEST_SECRET_KEY), from);
  expect(status).toBe(200);
  const values = [DEFAULT_PRODUCTS[0].id, DEFAULT_PRODUCTS[0].name, sample.ipnDate];
  expect(text).toBe(expectedReceipt('sha256', TEST_SECRET_KEY, values, receiptDateOf(text)!));
}

async function totals(): Promise<{ rows: number; refusals: number }> {
  await t.app.get(RecordRejectionService).flush();
  const [row] = await db.query(`SELECT count(*)::int AS rows, coalesce(sum(count), 0)::int AS refusals FROM ipn_rejection`);
  return row;
}

async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

describe('an authentic notification is receipted, however many forged ones came from its address', () => {
  it.each([
    ['from an address behind the trusted proxy', '192.0.2.50'],
    ['straight from the proxy, as every sender appears without TRUST_PROXY', undefined],
  ])('200 forged posts, then an authentic one: receipted (%s)', async (_, from) => {
    const before = await totals();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const { status, text, retryAfter } = await post(forged(), from);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 429) {
        expect(JSON.parse(text)).toMatchObject({ statusCode: 429, code: 'IPN_TOO_MANY_REFUSALS' });
        expect(Number(retryAfter)).toBeGreaterThan(0);
      }
    }
    // The first 30 are told why; the rest, over the sender's budget, get 429.
    expect(Object.fromEntries(statuses)).toEqual({ 401: 30, 429: 170 });
    await expectReceipted(from);
    // Still refused afterwards, and every refusal counted.
    expect((await post(forged(), from)).status).toBe(429);
    const after = await totals();
    expect(after.refusals - before.refusals).toBe(201);
    expect(after.rows - before.rows).toBeLessThanOrEqual(2 * 5 + 2);
  });
});

it('4,000 forged posts from 4,000 /64s of one /48: a few hundred rows and log lines at most, every refusal counted', async () => {
  const before = await totals();
  const linesBefore = lines.length;
  const started = Date.now();
  const statuses = new Map<number, number>();
  await inParallel(4000, 16, async (i) => {
    const { status } = await post(forged(), `2001:db8:77:${i.toString(16)}::1`);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  });
  const ended = Date.now();
  // Each sender was refused once: within its own budget, told why.
  expect(Object.fromEntries(statuses)).toEqual({ 401: 4000 });
  const after = await totals();
  expect(after.refusals - before.refusals).toBe(4000);

  const minutes = Math.floor(ended / 60_000) - Math.floor(started / 60_000) + 1;
  // At most the sampled budget a minute, plus one counter row per reason and minute.
  expect(after.rows - before.rows).toBeLessThanOrEqual(minutes * (RECORDS_PER_MINUTE + 1));
  const perMinute = await db.query(
    `SELECT date_trunc('minute', received_at) AS minute, count(*) FILTER (WHERE sampled)::int AS sampled,
            count(*) FILTER (WHERE NOT sampled)::int AS counters
     FROM ipn_rejection WHERE reason = 'signature_invalid' GROUP BY 1`,
  );
  for (const { sampled, counters } of perMinute) {
    expect(sampled).toBeLessThanOrEqual(RECORDS_PER_MINUTE);
    expect(counters).toBeLessThanOrEqual(1);
  }
  const [counter] = await db.query(`SELECT remote_address, detail FROM ipn_rejection WHERE NOT sampled ORDER BY count DESC LIMIT 1`);
  expect(counter).toEqual({ remote_address: null, detail: expect.stringContaining('IPN_REFUSAL_RECORDS_PER_MINUTE') });

  // Log lines are bounded the same way: a warning and a request line per row, and a notice a minute.
  const flood = lines.slice(linesBefore);
  expect(flood.filter((line) => line.context === 'IpnRejections').length).toBeLessThanOrEqual(minutes * (RECORDS_PER_MINUTE + 1));
  expect(flood.filter((line) => line.context === 'Notifications').length).toBeLessThanOrEqual(minutes * RECORDS_PER_MINUTE);
});

it('answers a refused request without waiting for its row: while the rejection table is locked, refusals are answered at once and an authentic notification is receipted', async () => {
  const before = await totals();
  // Another session holds the table: every write to it waits (the old code awaited it before answering).
  const locker = new Client({ connectionString: database.url });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE ipn_rejection IN ACCESS EXCLUSIVE MODE');
    const answers: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { status, ms } = await post(forged(), `198.51.100.${i}`);
      expect(status).toBe(401);
      answers.push(ms);
    }
    // The background write has started and is stuck behind the lock (one session waits for it)...
    const waiting = async () =>
      (await locker.query(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'ipn_rejection'::regclass`)).rows[0]
        .n as number;
    const deadline = Date.now() + 3000;
    while ((await waiting()) === 0 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
    expect(await waiting()).toBe(1);
    // ... and still refusals are answered at once, and authentic notifications receipted.
    for (let i = 10; i < 20; i++) {
      const { status, ms } = await post(forged(), `198.51.100.${i}`);
      expect(status).toBe(401);
      answers.push(ms);
    }
    await expectReceipted('198.51.100.99');
    expect(await waiting()).toBe(1);
    expect(Math.max(...answers)).toBeLessThan(1000);
  } finally {
    await locker.query('ROLLBACK');
    await locker.end();
  }
  // Once the table is free, every refusal is there.
  const after = await totals();
  expect(after.refusals - before.refusals).toBe(20);
});

it('writes the refusals still queued when the app stops', async () => {
  const before = await totals();
  // A second instance on the same database, stopped right after answering.
  const second = await createTestApp(database, { TRUST_PROXY: 'loopback' });
  try {
    const response = await fetch(`${second.baseUrl}/ipn`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: forged(),
    });
    expect(response.status).toBe(401);
    // Answered, and still queued: written a moment later, together with whatever follows.
    expect(second.app.get(RecordRejectionService).pending).toBe(1);
  } finally {
    await second.close();
  }
  expect((await totals()).refusals - before.refusals).toBe(1);
});
