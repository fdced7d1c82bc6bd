import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { SampleOrder, sampleIpn, signForm } from '../../src/cli/sample-notification';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY, TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { admin, drained, newOrder } from '../setup/lifecycle';
import { ServiceProcess, builtServiceCopy, kill9, startService as startProcess } from '../setup/service-process';
import { fakeSmtpServer, stallingServer, subjectOf } from '../setup/smtp';
import { provisionTestDatabase } from '../setup/test-database';

/**
 * The event pipeline under failure (issue #8), through the built service (src/main.ts built) where a
 * process dies, in-process where only a neighbour (the mail server) misbehaves:
 * a. kill -9 while processing, then restart: every receipted order fulfilled, exactly once;
 * b. two instances on one database under load, one killed: the survivor finishes, nothing twice;
 * c. a mail server that accepts and never answers: processing goes on, no transaction waits, and once
 *    a working server is back every message is sent exactly once;
 * d. any interleaving of an order's notifications (duplicates, concurrency) ends where serial delivery
 *    in IPN_DATE order ends.
 * CHAOS=1 (npm run test:chaos) runs the heavier variants: more orders, three kill cycles, 300 cases.
 */
const CHAOS = Boolean(process.env.CHAOS);
const CONCURRENCY = 16;

jest.setTimeout(CHAOS ? 600_000 : 60_000);

// ------------------------------------------------------------------------------------------------
// Helpers: processes, requests, waits.

const databases = new Set<DatabaseEndpoint>();
const pools = new Set<Pool>();
const services = new Set<ServiceProcess>();
let build: { folder: string; remove(): void } | undefined;

beforeAll(() => {
  // The service as production runs it (npm run build), built once in a copy of its own: no other spec's
  // build rewrites it meanwhile.
  build = builtServiceCopy();
});

afterAll(async () => {
  for (const service of services) await stop(service);
  for (const pool of pools) await pool.end();
  for (const database of databases) await database.close();
  build?.remove();
});

async function database(): Promise<{ endpoint: DatabaseEndpoint; pool: Pool }> {
  const endpoint = await provisionTestDatabase();
  databases.add(endpoint);
  const pool = new Pool({ connectionString: endpoint.url, max: 3 });
  pool.on('error', () => undefined); // an idle client cut off when the database is dropped
  pools.add(pool);
  return { endpoint, pool };
}

/** `node dist/src/main.js` of the build, on a free port, against `databaseUrl`, relay on; once it listens. */
async function startService(databaseUrl: string): Promise<ServiceProcess> {
  const service = await startProcess(build!.folder, {
    DATABASE_URL: databaseUrl,
    OUTBOX_POLL_MS: '50',
    OUTBOX_BACKOFF_MS: '50',
    // Every order is read back through the admin API.
    ADMIN_REQUESTS_PER_MINUTE: '100000',
  });
  services.add(service);
  return service;
}

async function stop(service: ServiceProcess): Promise<void> {
  await kill9(service);
  services.delete(service);
}

/** POSTs a signed body; true when the answer is a receipt (false: refused, or the process is gone). */
async function deliver(baseUrl: string, body: string): Promise<boolean> {
  try {
    const response = await postForm(`${baseUrl}/ipn`, body);
    const text = await response.text();
    return response.status === 200 && text.startsWith('<sig algo="sha256"');
  } catch {
    return false; // connection refused or reset: no receipt, as the platform would see it
  }
}

/** Runs `work` over `items`, `width` at a time. */
async function inParallel<T>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(everyMs);
  }
  throw new Error(`Not within ${timeoutMs} ms: ${what}`);
}

async function one<T = number>(pool: Pool, sql: string, parameters: unknown[] = []): Promise<T> {
  const { rows } = await pool.query(sql, parameters);
  return Object.values(rows[0])[0] as T;
}

const pending = (pool: Pool) => one(pool, `SELECT count(*)::int FROM outbox_event WHERE status = 'pending'`);

const signed = (order: SampleOrder): string => signForm(sampleIpn(order), ['sha256'], TEST_SECRET_KEY);

/** Orders of `count`, COMPLETE unless said, their emails shared `perEmail` at a time. */
function completeOrders(label: string, count: number, perEmail: number): SampleOrder[] {
  return Array.from({ length: count }, (_, i) =>
    newOrder({ status: 'COMPLETE', email: `${label}-${Math.floor(i / perEmail)}@example.com` }),
  );
}

async function getOrder(baseUrl: string, refNo: string): Promise<any> {
  const response = await fetch(`${baseUrl}/api/orders/${refNo}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  if (response.status !== 200) throw new Error(`GET /api/orders/${refNo}: ${response.status}`);
  return response.json();
}

/** What an operator checks of a fulfilled, COMPLETE order through the admin API. */
async function expectFulfilledOnce(baseUrl: string, orders: readonly SampleOrder[], notificationsPerOrder: number): Promise<void> {
  const problems: string[] = [];
  await inParallel(orders, CONCURRENCY, async (order) => {
    const view = await getOrder(baseUrl, order.refNo);
    const seen = {
      status: view.status,
      account: view.account?.email,
      fulfillments: view.fulfillments.map((f: any) => `${f.lineNo}:${f.status}`),
      history: view.history.length,
    };
    const expected = { status: 'COMPLETE', account: order.email, fulfillments: ['1:granted', '2:granted'], history: notificationsPerOrder };
    if (JSON.stringify(seen) !== JSON.stringify(expected)) problems.push(`${order.refNo}: ${JSON.stringify(seen)}`);
  });
  expect(problems).toEqual([]);
}

/** Counts per key of a query returning (key, n); keys missing from the result count 0. */
async function countsOf(pool: Pool, sql: string, keys: readonly string[], parameters: unknown[] = []): Promise<Map<string, number>> {
  const { rows } = await pool.query(sql, parameters);
  const counts = new Map(keys.map((key) => [key, 0]));
  for (const row of rows) counts.set(row.key, row.n);
  return counts;
}

/** Keys whose count is not `expected`. */
function offBy(counts: Map<string, number>, expected: number): Array<[string, number]> {
  return [...counts].filter(([, n]) => n !== expected);
}

/** Every event raised by a delivery, one row each (`link`): the event log. */
const RAISED = `(SELECT jsonb_build_object('name', name, 'orderRef', order_ref) AS link FROM event_log) AS raised`;

/** The checks every scenario ends with: each effect of each order exactly once, no dead letter. */
async function expectEachEffectOnce(pool: Pool, orders: readonly SampleOrder[]): Promise<void> {
  const refNos = orders.map((order) => order.refNo);
  const emails = [...new Set(orders.map((order) => order.email))];
  expect(await one(pool, `SELECT count(*)::int FROM outbox_event WHERE status = 'dead'`)).toBe(0);
  // One entitlement per line: two lines per order, no duplicate.
  const lines = await countsOf(pool, `SELECT ref_no AS key, count(*)::int AS n FROM entitlement GROUP BY ref_no`, refNos);
  expect(offBy(lines, 2)).toEqual([]);
  expect(await one(pool, `SELECT count(*)::int FROM (SELECT 1 FROM entitlement GROUP BY ref_no, line_no HAVING count(*) > 1) d`)).toBe(0);
  // Raised events, as the event log holds them.
  for (const name of ['order.completed', 'order.payment_authorized', 'fulfillment.granted']) {
    const events = await countsOf(
      pool,
      `SELECT link->>'orderRef' AS key, count(*)::int AS n FROM ${RAISED} WHERE link->>'name' = $1 GROUP BY 1`,
      refNos,
      [name],
    );
    expect([name, offBy(events, 1)]).toEqual([name, []]);
  }
  // One account per email, created once, whichever of its orders (and instances) got there first.
  const emailOf = new Map(orders.map((order) => [order.refNo, order.email]));
  const { rows: creations } = await pool.query(`SELECT link->>'orderRef' AS ref FROM ${RAISED} WHERE link->>'name' = 'account.created'`);
  const created = new Map(emails.map((email) => [email, 0]));
  for (const { ref } of creations) {
    const email = emailOf.get(ref) ?? `(order ${ref})`;
    created.set(email, (created.get(email) ?? 0) + 1);
  }
  expect(offBy(created, 1)).toEqual([]);
  expect(await one(pool, `SELECT count(*)::int FROM account`)).toBe(emails.length);
  // Customer messages: one confirmation and one access-granted per order, one welcome per email.
  for (const kind of ['order_confirmation', 'access_granted']) {
    const messages = await countsOf(
      pool,
      `SELECT ref_no AS key, count(*)::int AS n FROM engagement WHERE kind = $1 GROUP BY ref_no`,
      refNos,
      [kind],
    );
    expect([kind, offBy(messages, 1)]).toEqual([kind, []]);
  }
  const welcomes = await countsOf(
    pool,
    `SELECT email AS key, count(*)::int AS n FROM engagement WHERE kind = 'welcome' GROUP BY email`,
    emails,
  );
  expect(offBy(welcomes, 1)).toEqual([]);
}

// ------------------------------------------------------------------------------------------------

describe('a. kill -9 while the relay is processing', () => {
  const ORDERS = CHAOS ? 1000 : 200;
  const KILLS = CHAOS ? 3 : 1;

  it('after restart, every receipted order has its account and both entitlements, each exactly once', async () => {
    const { endpoint, pool } = await database();
    const orders = completeOrders('kill9', ORDERS, 3); // some emails have several orders
    const bodies = orders.map(signed);
    const receipted = new Set<number>();
    const entitledOrders = () => one(pool, `SELECT count(DISTINCT ref_no)::int FROM entitlement`);

    for (let kill = 0; kill < KILLS; kill += 1) {
      const service = await startService(endpoint.url);
      const before = await entitledOrders();
      const toSend = bodies.map((_, i) => i).filter((i) => !receipted.has(i));
      // The killer: as soon as some more orders have their entitlements (processing is under way).
      let killedWith: { entitled: number; receipted: number } | undefined;
      const killer = (async () => {
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline) {
          const entitled = await entitledOrders();
          // Half the notifications receipted (the other half will find it dead) and processing under way.
          const underWay = kill === 0 ? receipted.size >= ORDERS / 2 && entitled >= 10 : entitled > before;
          if (underWay) {
            killedWith = { entitled, receipted: receipted.size };
            await kill9(service);
            return;
          }
          await sleep(5);
        }
      })();
      await inParallel(toSend, CONCURRENCY, async (i) => {
        if (await deliver(service.baseUrl, bodies[i])) receipted.add(i);
      });
      await killer;
      if (!killedWith) throw new Error(`processing never got under way:\n${service.output()}`);
      await stop(service);
      // It died mid-way: some orders had their entitlements, some receipted ones not yet.
      const entitledAfter = await entitledOrders();
      expect(killedWith.entitled).toBeGreaterThan(before);
      expect(entitledAfter).toBeLessThan(receipted.size);
    }

    // Restarted; the platform sends again whatever got no receipt.
    const restarted = await startService(endpoint.url);
    const unreceipted = bodies.map((_, i) => i).filter((i) => !receipted.has(i));
    await inParallel(unreceipted, CONCURRENCY, async (i) => {
      if (await deliver(restarted.baseUrl, bodies[i])) receipted.add(i);
    });
    expect(receipted.size).toBe(ORDERS);
    await waitFor('no pending event', CHAOS ? 120_000 : 30_000, async () => (await pending(pool)) === 0);

    await expectFulfilledOnce(restarted.baseUrl, orders, 1);
    await expectEachEffectOnce(pool, orders);
    expect(await one(pool, `SELECT count(*)::int FROM ipn_notification`)).toBe(ORDERS);
    await stop(restarted);
  });
});

describe('b. two instances on one database under load, one killed', () => {
  const ORDERS = CHAOS ? 600 : 150;

  it('fulfils every receipted order exactly once, the survivor finishing what the dead one held', async () => {
    const { endpoint, pool } = await database();
    const first = await startService(endpoint.url);
    const second = await startService(endpoint.url); // after the first: it finds the schema migrated
    const orders = completeOrders('twin', ORDERS, 3);
    // Two notifications per order (PAYMENT_AUTHORIZED, then COMPLETE an hour later), in a shuffled order,
    // alternately to each instance: one order's notifications are often processed by both at once.
    const notifications = orders.flatMap((order) => [
      signed({ ...order, status: 'PAYMENT_AUTHORIZED', messageId: `${order.messageId}-pa`, ipnDate: '20261124100000' }),
      signed({ ...order, status: 'COMPLETE', messageId: `${order.messageId}-c`, ipnDate: '20261124110000' }),
    ]);
    const shuffled = seededShuffle(notifications, 8);
    let answered = 0;
    let secondKilled: Promise<void> | undefined;
    await inParallel(shuffled, CONCURRENCY, async (body, i) => {
      const target = i % 2 === 1 && !secondKilled ? second : first;
      let receipted = await deliver(target.baseUrl, body);
      // No receipt from the dead one: the platform sends it again, and it reaches the survivor.
      if (!receipted && target === second) receipted = await deliver(first.baseUrl, body);
      if (!receipted) throw new Error(`no receipt from the survivor:\n${first.output()}`);
      answered += 1;
      if (answered === Math.floor(shuffled.length / 2)) secondKilled = kill9(second);
    });
    await secondKilled;
    // Re-deliveries of notifications the dead instance had stored (or not): duplicates change nothing.
    await inParallel(seededShuffle(notifications, 9).slice(0, 40), CONCURRENCY, async (body) => {
      expect(await deliver(first.baseUrl, body)).toBe(true);
    });
    await waitFor('no pending event', CHAOS ? 120_000 : 30_000, async () => (await pending(pool)) === 0);

    // One history entry per notification, one entitlement per line, one order.completed, one access_granted.
    await expectFulfilledOnce(first.baseUrl, orders, 2);
    await expectEachEffectOnce(pool, orders);
    expect(await one(pool, `SELECT count(*)::int FROM ipn_notification`)).toBe(notifications.length);
    expect(await one(pool, `SELECT count(*)::int FROM order_status_history`)).toBe(notifications.length);
    await stop(first);
    await stop(second);
  });
});

/** A deterministic shuffle (for a reproducible load). */
function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

// ------------------------------------------------------------------------------------------------

describe('c. a mail server that accepts and never answers', () => {
  let t: TestApp | undefined;
  let stalled: Awaited<ReturnType<typeof stallingServer>> | undefined;
  let working: Awaited<ReturnType<typeof fakeSmtpServer>> | undefined;
  afterAll(async () => {
    // The servers first: a send still waiting on the stalled one fails at once instead of holding up close().
    await stalled?.close();
    await working?.close();
    await t?.close();
  });

  it('keeps processing, holds no transaction open, retries, and sends each message exactly once once a server answers', async () => {
    const { endpoint, pool } = await database();
    stalled = await stallingServer();
    const port = stalled.port;
    t = await createTestApp(endpoint, {
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      SMTP_TIMEOUT_MS: '1000',
      // The orders are TEST orders, whose messages are mailed only when asked to.
      TEST_ORDERS_SEND_MAIL: 'true',
      OUTBOX_POLL_MS: '50',
      OUTBOX_BACKOFF_MS: '100',
    });
    const orders = Array.from({ length: 20 }, () => newOrder({ status: 'COMPLETE' }));
    const answers = await Promise.all(orders.map((order) => deliver(t!.baseUrl, signed(order))));
    expect(answers.every(Boolean)).toBe(true);

    // Processing never waits for mail: all 20 orders fulfilled within a few seconds.
    const refNos = orders.map((order) => order.refNo);
    await waitFor(
      'all 20 orders granted',
      5000,
      async () => (await one(pool, `SELECT count(*)::int FROM entitlement WHERE status = 'granted' AND ref_no = ANY($1)`, [refNos])) === 40,
    );
    await drained(t);
    const messages = await one(pool, `SELECT count(*)::int FROM engagement`);
    expect(messages).toBe(60); // confirmation, welcome, access granted

    // While the server stalls: nothing sent, failures recorded with the timeout, and no transaction held
    // open meanwhile (a send inside one would show as "idle in transaction" for a second).
    let longTransactions = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        longTransactions += await one(
          pool,
          `SELECT count(*)::int FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid()
             AND state LIKE 'idle in transaction%' AND now() - xact_start > interval '500 milliseconds'`,
        );
        await sleep(50);
      }
    })();
    try {
      await waitFor(
        'failed sends recorded',
        10_000,
        async () => (await one(pool, `SELECT count(*)::int FROM engagement WHERE last_error IS NOT NULL`)) >= 8,
      );
    } finally {
      sampling = false;
      await sampler;
    }
    const during = (await pool.query(`SELECT delivery, attempts, last_error FROM engagement`)).rows;
    expect(during.filter((row) => row.delivery !== 'pending')).toEqual([]);
    const failed = during.filter((row) => row.last_error !== null);
    for (const row of failed) {
      expect(row.attempts).toBeGreaterThanOrEqual(1);
      expect(row.last_error).toMatch(/timeout|greeting never received/i);
    }
    expect(stalled.connections()).toBeGreaterThanOrEqual(8);
    expect(longTransactions).toBe(0);
    const failedIds = new Set((await pool.query(`SELECT id FROM engagement WHERE last_error IS NOT NULL`)).rows.map((row) => row.id));

    // The stalled server is replaced by a working one on the same port.
    await stalled.close();
    stalled = undefined;
    working = await fakeSmtpServer(port);
    await waitFor(
      'every message sent',
      20_000,
      async () => (await one(pool, `SELECT count(*)::int FROM engagement WHERE delivery = 'sent'`)) === messages,
    );
    await sleep(1000); // anything still in flight would arrive now

    const sent = (await pool.query(`SELECT id, email, subject, delivery, attempts FROM engagement`)).rows;
    const transactions = new Map<string, number>();
    for (const mail of working.received) {
      const key = `${mail.to.join(',')}|${subjectOf(mail.data)}`;
      transactions.set(key, (transactions.get(key) ?? 0) + 1);
    }
    // Exactly one DATA transaction per message, and none for anything else.
    expect(working.received).toHaveLength(messages);
    expect(sent.map((row) => [row.delivery, transactions.get(`${row.email}|${row.subject}`)])).toEqual(sent.map(() => ['sent', 1]));
    // The ones that failed were retried: more than one attempt.
    for (const row of sent.filter((row) => failedIds.has(row.id))) expect(row.attempts).toBeGreaterThanOrEqual(2);
  });
});

// ------------------------------------------------------------------------------------------------

const STATUSES = ['PENDING', 'PAYMENT_AUTHORIZED', 'COMPLETE', 'REFUND', 'CANCELED', 'REVERSED'] as const;
const FRAUD = ['APPROVED', 'DENIED', 'UNDER REVIEW'] as const;
const MAX_STEPS = 6;
const WAVES = 4;
const MILESTONE_EVENTS = [
  'order.placed',
  'order.payment_authorized',
  'order.completed',
  'order.canceled',
  'order.reversed',
  'order.refunded',
];

type WaveMode = 'together' | 'one-by-one' | 'settled';

interface Case {
  steps: Array<{ status: string; fraud: string }>;
  /** Seconds between consecutive IPN_DATEs (distinct, increasing). */
  gaps: number[];
  /** Per notification: its wave, its place in it, and whether (and in which wave) it is sent a second time. */
  arrivals: Array<{ wave: number; rank: number; duplicate: boolean; duplicateWave: number }>;
  waves: WaveMode[];
}

const lifecycle: fc.Arbitrary<Case['steps']> = fc.oneof(
  // A sub-sequence of the usual lifecycle...
  fc
    .subarray([...STATUSES], { minLength: 1 })
    .chain((statuses) => fc.tuple(...statuses.map((status) => fc.constantFrom(...FRAUD).map((fraud) => ({ status, fraud }))))),
  // ... or any sequence, repeats included (e.g. COMPLETE under review, then COMPLETE approved).
  fc.array(fc.record({ status: fc.constantFrom(...STATUSES), fraud: fc.constantFrom(...FRAUD) }), { minLength: 1, maxLength: MAX_STEPS }),
);

const cases: fc.Arbitrary<Case> = fc.record({
  steps: lifecycle,
  gaps: fc.array(fc.integer({ min: 1, max: 86_400 }), { minLength: MAX_STEPS, maxLength: MAX_STEPS }),
  arrivals: fc.array(
    fc.record({ wave: fc.nat(WAVES - 1), rank: fc.nat(1000), duplicate: fc.boolean(), duplicateWave: fc.nat(WAVES - 1) }),
    { minLength: MAX_STEPS, maxLength: MAX_STEPS },
  ),
  waves: fc.array(fc.constantFrom<WaveMode>('together', 'one-by-one', 'settled'), { minLength: WAVES, maxLength: WAVES }),
});

function ipnDates(gaps: readonly number[], count: number): string[] {
  let at = Date.UTC(2026, 10, 24, 10, 0, 0);
  return Array.from({ length: count }, (_, i) => {
    at += gaps[i] * 1000;
    return new Date(at).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  });
}

describe('d. the interleaving property over HTTP', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    const { endpoint } = await database();
    t = await createTestApp(endpoint, { OUTBOX_POLL_MS: '20', OUTBOX_BACKOFF_MS: '20' });
    db = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
  });

  const pendingFor = async (refNo: string): Promise<number> =>
    (await db.query(`SELECT count(*)::int AS n FROM outbox_event WHERE status = 'pending' AND payload->>'orderRef' = $1`, [refNo]))[0].n;

  async function settled(refNo: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while ((await pendingFor(refNo)) > 0) {
      if (Date.now() > deadline) throw new Error(`order ${refNo} not processed within 10 s`);
      await sleep(5);
    }
  }

  async function send(body: string): Promise<void> {
    const response = await postForm(`${t.baseUrl}/ipn`, body);
    const text = await response.text();
    if (response.status !== 200 || !text.startsWith('<sig ')) throw new Error(`no receipt: ${response.status} ${text}`);
  }

  /** What a user compares of two orders: status, fraud status, milestones reached, account, entitlements. */
  async function outcome(refNo: string) {
    const { status, body: view } = await admin(t, `/api/orders/${refNo}`);
    if (status === 404) return { exists: false };
    const events = await db.query(
      `SELECT DISTINCT link->>'name' AS name FROM ${RAISED} WHERE link->>'orderRef' = $1 AND link->>'name' = ANY($2) ORDER BY 1`,
      [refNo, MILESTONE_EVENTS],
    );
    const [{ dead }] = await db.query(
      `SELECT count(*)::int AS dead FROM outbox_event WHERE status = 'dead' AND payload->>'orderRef' = $1`,
      [refNo],
    );
    return {
      exists: true,
      status: view.status,
      fraudStatus: view.fraudStatus,
      milestones: events.map((row: any) => row.name),
      account: view.account !== null,
      entitlements: view.fulfillments.map((f: any) => `${f.lineNo}:${f.status}`),
      notificationsApplied: view.history.length,
      dead,
    };
  }

  it('ends each order where serial delivery in IPN_DATE order ends, whatever the arrival order', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async (plan) => {
        const dates = ipnDates(plan.gaps, plan.steps.length);
        const [serial, shuffled] = [newOrder(), newOrder()];
        const bodiesOf = (order: SampleOrder) =>
          plan.steps.map((step, i) =>
            signed({ ...order, status: step.status, fraudStatus: step.fraud, ipnDate: dates[i], messageId: `${order.messageId}-${i}` }),
          );
        const [serialBodies, shuffledBodies] = [bodiesOf(serial), bodiesOf(shuffled)];

        // B's schedule: each notification in its wave, shuffled by rank; some sent twice (the same body).
        const schedule: Array<Array<{ body: string; rank: number }>> = Array.from({ length: WAVES }, () => []);
        shuffledBodies.forEach((body, i) => {
          const arrival = plan.arrivals[i];
          schedule[arrival.wave].push({ body, rank: arrival.rank * 2 });
          if (arrival.duplicate) schedule[arrival.duplicateWave].push({ body, rank: arrival.rank * 2 + 1 });
        });

        await Promise.all([
          // A: one at a time, in IPN_DATE order, each processed before the next is sent.
          (async () => {
            for (const body of serialBodies) {
              await send(body);
              await settled(serial.refNo);
            }
          })(),
          // B: wave after wave; a wave all at once, or one by one, or one by one each processed first.
          (async () => {
            for (const [w, wave] of schedule.entries()) {
              const ordered = [...wave].sort((x, y) => x.rank - y.rank);
              if (plan.waves[w] === 'together') await Promise.all(ordered.map(({ body }) => send(body)));
              else {
                for (const { body } of ordered) {
                  await send(body);
                  if (plan.waves[w] === 'settled') await settled(shuffled.refNo);
                }
              }
            }
          })(),
        ]);
        await settled(serial.refNo);
        await settled(shuffled.refNo);

        const [reference, interleaved] = await Promise.all([outcome(serial.refNo), outcome(shuffled.refNo)]);
        expect(reference).toMatchObject({ exists: true, notificationsApplied: plan.steps.length, dead: 0 });
        expect(interleaved).toEqual(reference);
      }),
      { numRuns: CHAOS ? 300 : 30, endOnFailure: true },
    );
  });
});
