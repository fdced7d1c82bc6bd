import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DEFAULT_PRODUCTS } from '../../src/cli/sample-notification';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TEST_ADMIN_TOKEN, TestApp, createTestApp } from '../setup/create-test-app';
import { drained, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';

/**
 * The console's sign-in (throttled per address, audited, failures sampled and counted), reads of
 * customer data audited through /api and the console, and sessions shared by two instances of the
 * service on one database and kept across a restart. X-Forwarded-For from loopback names the caller.
 */
let database: DatabaseEndpoint;
let t: TestApp;
let db: DataSource;
const ENV = { TRUST_PROXY: 'loopback', OUTBOX_POLL_MS: '20' };
const FINGERPRINT = sha256(TEST_ADMIN_TOKEN).slice(0, 8);
/**
 * Wrong tokens refused in this file (401): every one must be in the audit log, sampled or counted.
 * Attempts past the throttle (429) are not: like throttled IPN refusals, they are not even read.
 */
let wrongTokensRefused = 0;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database, ENV);
  db = t.app.get(DataSource);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function signIn(app: TestApp, token: string, from: string) {
  const response = await fetch(`${app.baseUrl}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': from },
    body: new URLSearchParams({ token }).toString(),
  });
  if (response.status === 401) wrongTokensRefused += 1;
  const cookie = /^ipn_console_session=([^;]*)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  return { status: response.status, headers: response.headers, text: await response.text(), cookie };
}

function consoleGet(app: TestApp, path: string, cookie: string, from = '192.0.2.200') {
  return fetch(`${app.baseUrl}${path}`, {
    redirect: 'manual',
    headers: { cookie: `ipn_console_session=${cookie}`, 'x-forwarded-for': from },
  });
}

function api(app: TestApp, path: string, from = '192.0.2.5') {
  return fetch(`${app.baseUrl}${path}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'x-forwarded-for': from } });
}

describe('console sign-in', () => {
  it('throttles attempts per address (CONSOLE_SIGN_INS_PER_MINUTE, 10): 429 with Retry-After long before 60 wrong tokens', async () => {
    const from = '198.51.100.50';
    const answers = [];
    for (let i = 0; i < 60; i++) answers.push(await signIn(t, `guess-${i}-0123456789abcdef`, from));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(50).fill(429));
    const refused = answers[10];
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // The sign-in page again, saying why and when, not a JSON error.
    expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
    expect(refused.text).toMatch(/More than 10 sign-in attempts within a minute from this address: try again in \d+ s\./);
    expect(answers.every((answer) => answer.cookie === undefined)).toBe(true);

    // Counted by address only: the right token from the throttled address is refused too (else a 429
    // would tell a guesser which tokens are wrong), and from another address it signs in.
    expect((await signIn(t, TEST_ADMIN_TOKEN, from)).status).toBe(429);
    const elsewhere = await signIn(t, TEST_ADMIN_TOKEN, '198.51.100.51');
    expect(elsewhere.status).toBe(303);
    expect(elsewhere.cookie).toMatch(/^[\w-]{43}$/);
    // An IPv6 sender is one /64: changing the interface bits does not buy a new budget.
    const v6 = [];
    for (let i = 0; i < 11; i++) v6.push((await signIn(t, `guess-v6-${i}-0123456789`, `2001:db8:1:2::${i + 1}`)).status);
    expect(v6).toEqual([...Array(10).fill(401), 429]);
  });

  it('audits a successful sign-in: token fingerprint, address, outcome, and which session (never the session id)', async () => {
    const { status, cookie } = await signIn(t, TEST_ADMIN_TOKEN, '192.0.2.77');
    expect(status).toBe(303);
    const rows = await db.query(
      `SELECT token_fingerprint, remote_address, target, outcome, detail, finished_at IS NOT NULL AS finished
       FROM admin_audit WHERE action = 'console.sign_in' AND remote_address = '192.0.2.77'`,
    );
    expect(rows).toEqual([
      {
        token_fingerprint: FINGERPRINT,
        remote_address: '192.0.2.77',
        target: `session ${sha256(cookie!).slice(0, 8)}`,
        outcome: 'done',
        detail: 'console',
        finished: true,
      },
    ]);
    const [listed] = (await (await api(t, '/api/audit?limit=1')).json()) as any[];
    expect(listed).toMatchObject({ action: 'console.sign_in', tokenFingerprint: FINGERPRINT, outcome: 'done', count: 1 });
  });

  it('keeps failed sign-ins bounded whatever the number of senders: a sample of rows a minute, the rest counted, none lost', async () => {
    // 500 senders, one wrong token each: no address reaches its throttle.
    for (let i = 0; i < 500; i++)
      expect((await signIn(t, `flood-${i}-0123456789abcdef`, `2001:db8:${(i + 16).toString(16)}::1`)).status).toBe(401);
    const recorded = async () =>
      (
        await db.query(
          `SELECT coalesce(sum(count), 0)::int AS n FROM admin_audit WHERE action = 'console.sign_in' AND outcome = 'rejected'`,
        )
      )[0].n;
    const deadline = Date.now() + 10_000;
    while ((await recorded()) < wrongTokensRefused && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await recorded()).toBe(wrongTokensRefused);

    const perMinute = await db.query(
      `SELECT date_trunc('minute', at) AS minute, count(*) FILTER (WHERE sampled)::int AS sampled,
              count(*) FILTER (WHERE NOT sampled)::int AS counters
       FROM admin_audit WHERE action = 'console.sign_in' AND outcome = 'rejected' GROUP BY 1`,
    );
    const rows = perMinute.reduce((sum: number, minute: any) => sum + minute.sampled + minute.counters, 0);
    for (const minute of perMinute) {
      expect(minute.sampled).toBeLessThanOrEqual(20);
      expect(minute.counters).toBeLessThanOrEqual(1);
    }
    expect(rows).toBeLessThanOrEqual(perMinute.length * 21);
    expect(rows).toBeLessThan(wrongTokensRefused / 10);

    // Who: no token at all (never the typed text, nor a hash of it); sampled rows name the sender.
    const [sample] = await db.query(
      `SELECT token_fingerprint, remote_address, target, detail FROM admin_audit
       WHERE action = 'console.sign_in' AND outcome = 'rejected' AND sampled ORDER BY at LIMIT 1`,
    );
    expect(sample).toEqual({ token_fingerprint: 'wrong-token', remote_address: '198.51.100.50', target: 'console', detail: 'wrong token' });
    const stored = await db.query(`SELECT row_to_json(a)::text AS row FROM admin_audit a`);
    const typed = stored.filter(
      (row: any) => /guess-|flood-/.test(row.row) || row.row.includes(sha256('flood-0-0123456789abcdef').slice(0, 8)),
    );
    expect(typed).toEqual([]);
    // The counting row through the API.
    const entries = (await (await api(t, '/api/audit?limit=1000')).json()) as any[];
    const counted = entries.filter((entry: any) => entry.action === 'console.sign_in' && entry.count > 1);
    expect(counted.length).toBeGreaterThanOrEqual(1);
    expect(counted[0]).toMatchObject({
      tokenFingerprint: 'wrong-token',
      remoteAddress: null,
      outcome: 'rejected',
      detail: 'beyond the sample: counted',
    });
    expect(new Date(counted[0].at).getTime() % 60_000).toBe(0);
  });
});

describe('reads of customer data', () => {
  const order = newOrder({ status: 'COMPLETE' });
  order.products = DEFAULT_PRODUCTS.map((product) => ({ ...product, licenseRef: `${product.licenseRef}-${order.refNo}` }));
  const email = order.email!;
  const emailTarget = `b***@example.com sha256:${sha256(email.toLowerCase()).slice(0, 16)}`;
  let cookie: string;

  beforeAll(async () => {
    await sendStatus(t, order, 'COMPLETE');
    await drained(t);
    cookie = (await signIn(t, TEST_ADMIN_TOKEN, '192.0.2.90')).cookie!;
  });

  const reads = () =>
    db.query(
      `SELECT token_fingerprint AS who, remote_address AS "from", action, target, outcome, detail
       FROM admin_audit WHERE action LIKE '%.read' AND action <> 'ipn.messages.read' ORDER BY at, finished_at`,
    );

  it('writes one row per read, through /api and through the console, the email masked and hashed', async () => {
    await db.query(`DELETE FROM admin_audit`);
    const customer = (await (await api(t, `/api/customers?email=${encodeURIComponent(email)}`)).json()) as any;
    const licenseRef = order.products[0].licenseRef;
    const answers = [
      (await api(t, `/api/orders/${order.refNo}`)).status,
      (await api(t, '/api/orders/999999999')).status,
      (await api(t, `/api/accounts/${customer.account.id}`)).status,
      (await api(t, `/api/subscriptions/${licenseRef}`)).status,
      (await api(t, `/api/subscriptions?email=${encodeURIComponent(email.toUpperCase())}`)).status,
      (await consoleGet(t, `/console/api/orders/${order.refNo}`, cookie)).status,
      (await consoleGet(t, `/console/api/subscriptions?email=${encodeURIComponent(email)}`, cookie)).status,
      (await consoleGet(t, `/console/api/subscriptions?licenseRef=${licenseRef}`, cookie)).status,
      (await consoleGet(t, '/console/api/subscriptions', cookie)).status,
    ];
    expect(answers).toEqual([200, 404, 200, 200, 200, 200, 200, 200, 400]);
    const api5 = { who: FINGERPRINT, from: '192.0.2.5' };
    const fromConsole = { who: FINGERPRINT, from: '192.0.2.200' };
    expect(await reads()).toEqual([
      { ...api5, action: 'customer.read', target: emailTarget, outcome: 'done', detail: null },
      { ...api5, action: 'order.read', target: order.refNo, outcome: 'done', detail: null },
      { ...api5, action: 'order.read', target: '999999999', outcome: 'not_found', detail: 'NOT_FOUND' },
      { ...api5, action: 'account.read', target: customer.account.id, outcome: 'done', detail: null },
      { ...api5, action: 'subscription.read', target: licenseRef, outcome: 'done', detail: null },
      { ...api5, action: 'subscription.read', target: emailTarget, outcome: 'done', detail: null },
      { ...fromConsole, action: 'order.read', target: order.refNo, outcome: 'done', detail: 'console' },
      { ...fromConsole, action: 'subscription.read', target: emailTarget, outcome: 'done', detail: 'console' },
      { ...fromConsole, action: 'subscription.read', target: licenseRef, outcome: 'done', detail: 'console' },
      { ...fromConsole, action: 'subscription.read', target: '(none)', outcome: 'rejected', detail: 'console: BAD_REQUEST' },
    ]);
    // The stored notifications carry the customer's form as sent: their reads are audited too.
    expect((await api(t, `/api/ipn/messages?refNo=${order.refNo}`)).status).toBe(200);
    expect(await db.query(`SELECT target, outcome FROM admin_audit WHERE action = 'ipn.messages.read'`)).toEqual([
      { target: `refNo=${order.refNo}`, outcome: 'done' },
    ]);
    const stored = await db.query(`SELECT row_to_json(a)::text AS row FROM admin_audit a`);
    expect(stored.filter((row: any) => row.row.toLowerCase().includes(email.toLowerCase()))).toEqual([]);
  });

  it('sends no customer data it could not record', async () => {
    await db.query(`ALTER TABLE admin_audit ADD CONSTRAINT test_refuse_order_reads CHECK (action <> 'order.read') NOT VALID`);
    try {
      for (const response of [
        await api(t, `/api/orders/${order.refNo}`),
        await consoleGet(t, `/console/api/orders/${order.refNo}`, cookie),
      ]) {
        expect(response.status).toBeGreaterThanOrEqual(500);
        const text = await response.text();
        expect(text).not.toContain(email);
        expect(text).not.toContain(order.refNo);
      }
    } finally {
      await db.query(`ALTER TABLE admin_audit DROP CONSTRAINT test_refuse_order_reads`);
    }
    expect((await api(t, `/api/orders/${order.refNo}`)).status).toBe(200);
  });
});

describe('sessions in the database', () => {
  it('are honoured by every instance on the database; Log out on one ends the session on all', async () => {
    const other = await createTestApp(database, ENV);
    try {
      const { cookie } = await signIn(t, TEST_ADMIN_TOKEN, '192.0.2.100');
      for (const app of [t, other]) {
        expect((await consoleGet(app, '/console/api/notifications', cookie!)).status).toBe(200);
        expect((await consoleGet(app, '/console/dead-letters', cookie!)).status).toBe(200);
      }
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM console_session WHERE id_hash = $1`, [sha256(cookie!)]);
      expect(n).toBe(1);

      const loggedOut = await fetch(`${other.baseUrl}/console/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: `ipn_console_session=${cookie}` },
      });
      expect(loggedOut.status).toBe(303);
      for (const app of [t, other]) {
        expect((await consoleGet(app, '/console/api/notifications', cookie!)).status).toBe(401);
        const page = await consoleGet(app, '/console/dead-letters', cookie!);
        expect([page.status, page.headers.get('location')]).toEqual([303, '/console/login']);
      }
      expect(await db.query(`SELECT count(*)::int AS n FROM console_session WHERE id_hash = $1`, [sha256(cookie!)])).toEqual([{ n: 0 }]);
    } finally {
      await other.close();
    }
  });

  it('survive a restart', async () => {
    const first = await createTestApp(database, ENV);
    const { cookie } = await signIn(first, TEST_ADMIN_TOKEN, '192.0.2.101');
    expect((await consoleGet(first, '/console/api/notifications', cookie!)).status).toBe(200);
    await first.close();
    const restarted = await createTestApp(database, ENV);
    try {
      expect((await consoleGet(restarted, '/console/api/notifications', cookie!)).status).toBe(200);
    } finally {
      await restarted.close();
    }
    // Stored as its hash only.
    const stored = await db.query(`SELECT row_to_json(s)::text AS row FROM console_session s`);
    expect(stored.filter((row: any) => row.row.includes(cookie!))).toEqual([]);
  });
});
