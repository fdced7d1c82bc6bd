import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { SampleOrder, sampleIpn, signForm } from '../../src/cli/sample-notification';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TEST_SECRET_KEY, postForm } from '../setup/create-test-app';
import { newOrder } from '../setup/lifecycle';
import { freePort } from '../setup/processes';
import { ServiceProcess, builtServiceCopy, kill9, startService } from '../setup/service-process';
import { MailTransaction, fakeSmtpServer } from '../setup/smtp';
import { provisionTestDatabase } from '../setup/test-database';

/**
 * The delivery stage and the event feed across two instances on one database, one killed with
 * kill -9 while it delivers, under load: the built service with the licensing example plugged in
 * (examples/licensing/main.ts), each instance with its own mail server and its own path to the licensing API,
 * so every call and mail says who sent it.
 */
jest.setTimeout(180_000);

const LEASE_MS = 1500;
const POLL_MS = 100;
const EVENTS_TOKEN = 'events-token-for-the-feed-reader';
/** Commits that wait after their log rows got positions: a reader polls while they are pending. */
const SLOW_COMMIT_EVERY = 7;

interface LicenseCall {
  via: 'a' | 'b';
  key: string;
  order: string;
  at: number;
}

let build: ReturnType<typeof builtServiceCopy>;
let database: DatabaseEndpoint;
let pool: Pool;
const services: ServiceProcess[] = [];
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  build = builtServiceCopy({ alsoBuild: ['examples/licensing/main.ts'] });
  database = await provisionTestDatabase();
  pool = new Pool({ connectionString: database.url, max: 3 });
  pool.on('error', () => undefined);
});

afterAll(async () => {
  for (const service of services) await kill9(service);
  for (const close of closers) await close();
  await pool?.end();
  await database?.close();
  build?.remove();
});

/** The licensing API: records every call; the first call for one of `hangOn`'s lines never answers. */
async function licensingApi(hangOn: () => string | undefined) {
  const calls: LicenseCall[] = [];
  const hung = new Set<ServerResponse>();
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const via = request.url!.startsWith('/a/') ? 'a' : 'b';
      const key = String(request.headers['idempotency-key']);
      const { order, line } = JSON.parse(body) as { order: string; line: number };
      calls.push({ via, key, order, at: Date.now() });
      if (order === hangOn() && hung.size === 0) {
        hung.add(response);
        return;
      }
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: `lic-${key}`, key: `KEY-${order}-${line}` }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  closers.push(async () => {
    for (const response of hung) response.destroy();
    await new Promise((done) => server.close(done));
  });
  return { calls, port: (server.address() as AddressInfo).port };
}

async function instance(via: 'a' | 'b', licensingPort: number, smtpPort: number): Promise<ServiceProcess> {
  const service = await startService(
    build.folder,
    {
      DATABASE_URL: database.url,
      ACME_URL: `http://127.0.0.1:${licensingPort}/${via}`,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      TEST_ORDERS_SEND_MAIL: 'true',
      DELIVERY_LEASE_MS: String(LEASE_MS),
      OUTBOX_POLL_MS: String(POLL_MS),
      OUTBOX_BACKOFF_MS: '100',
      SUBSCRIBER_TIMEOUT_MS: '60000',
      EVENTS_TOKEN,
      EVENTS_REQUESTS_PER_MINUTE: '100000',
    },
    'node',
    60_000,
    'dist/examples/licensing/main.js',
  );
  services.push(service);
  return service;
}

async function post(service: ServiceProcess, order: SampleOrder): Promise<boolean> {
  try {
    const response = await postForm(`${service.baseUrl}/ipn`, signForm(sampleIpn(order), ['sha256'], TEST_SECRET_KEY));
    return response.status === 200 && (await response.text()).startsWith('<sig');
  } catch {
    return false; // the process is gone: no receipt, the platform sends it again
  }
}

/** Follows GET /api/events from whichever instance is up, as an integrator's reader would. */
function feedReader(alive: () => ServiceProcess[]) {
  const seen: Array<{ eventId: string; name: string; orderRef: string | null }> = [];
  let cursor: string | undefined;
  let stop = false;
  let turn = 0;
  const running = (async () => {
    while (!stop) {
      const from = alive()[turn++ % alive().length];
      try {
        const query = new URLSearchParams({ limit: '100', ...(cursor ? { after: cursor } : {}) });
        const response = await fetch(`${from.baseUrl}/api/events?${query}`, { headers: { authorization: `Bearer ${EVENTS_TOKEN}` } });
        if (response.status === 200) {
          const page = (await response.json()) as { events: typeof seen; next: string };
          seen.push(...page.events.map(({ eventId, name, orderRef }) => ({ eventId, name, orderRef })));
          cursor = page.next;
        }
      } catch {
        // that instance was just killed: the next turn asks the other
      }
      await sleep(20);
    }
  })();
  return {
    seen,
    stop: async () => {
      stop = true;
      await running;
    },
  };
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Not within ${timeoutMs} ms: ${what}`);
    await sleep(25);
  }
}

const count = async (sql: string, parameters: unknown[] = []) => Number((await pool.query(sql, parameters)).rows[0].n);

/** Per (who sent it, idempotency key): how many times. */
function timesPerSender<T>(items: readonly T[], sender: (item: T) => string, key: (item: T) => string): number[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(`${sender(item)} ${key(item)}`, (counts.get(`${sender(item)} ${key(item)}`) ?? 0) + 1);
  return [...counts.values()];
}

it('kill -9 of one of two instances mid-delivery: the feed misses nothing and repeats nothing; mail and calls go out once, but what was in flight', async () => {
  const orders = Array.from({ length: 120 }, (_, i) => newOrder({ status: 'COMPLETE', email: `twin-${i}@example.com` }));
  const slow = orders[20];
  const licensing = await licensingApi(() => slow.refNo);
  const [smtpA, smtpB] = await Promise.all([freePort(), freePort()]);
  const mail = { a: await fakeSmtpServer(smtpA), b: await fakeSmtpServer(smtpB) };
  closers.push(
    () => mail.a.close(),
    () => mail.b.close(),
  );
  const a = await instance('a', licensing.port, smtpA);
  const b = await instance('b', licensing.port, smtpB); // after a: it finds the schema migrated

  // The interleaving forced: every SLOW_COMMIT_EVERY-th order's delivery transaction waits at its
  // commit, after its rows have their positions, while the other instance's transactions go on.
  await pool.query(`CREATE TABLE slow_commit (order_ref text PRIMARY KEY, waited int NOT NULL DEFAULT 0)`);
  await pool.query(`INSERT INTO slow_commit SELECT unnest($1::text[])`, [
    orders.filter((_, i) => i % SLOW_COMMIT_EVERY === 3).map((order) => order.refNo),
  ]);
  await pool.query(`CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.name = 'order.placed' THEN
        UPDATE slow_commit SET waited = waited + 1 WHERE order_ref = NEW.order_ref;
        IF FOUND THEN PERFORM pg_sleep(0.15); END IF;
      END IF;
      RETURN NULL;
    END $$`);
  await pool.query(`CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON event_log DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION slow_commit()`);

  const dead: { service?: ServiceProcess } = {};
  const alive = () => [a, b].filter((service) => service !== dead.service);
  const reader = feedReader(alive);

  // Load: the orders, alternately to each instance; what gets no receipt goes again to one alive.
  const receipted = new Set<string>();
  const load = (async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < orders.length) {
          const order = orders[next++];
          for (let tries = 0; !receipted.has(order.refNo); tries++) {
            const to = alive()[(next + tries) % alive().length];
            if (await post(to, order)) receipted.add(order.refNo);
            else await sleep(50);
          }
          await sleep(500); // a steady stream for ~10 s, so that the kill lands in the middle of it
        }
      }),
    );
  })();

  // The slow order's license call hangs: its worker renews its lease, so for three leases nobody else takes it.
  await waitFor('the slow call', 60_000, () => licensing.calls.some((call) => call.order === slow.refNo));
  const hung = licensing.calls.find((call) => call.order === slow.refNo)!;
  const holder = hung.via;
  await sleep(3 * LEASE_MS);
  expect(licensing.calls.filter((call) => call.key === hung.key)).toEqual([hung]);
  // Kill the instance that holds it, while the load goes on.
  const killed = (dead.service = holder === 'a' ? a : b);
  expect(receipted.size).toBeLessThan(orders.length);
  await kill9(killed);
  const killedAt = Date.now();
  const survivor = holder === 'a' ? 'b' : 'a';

  // Its work is taken over within a lease and a poll (and some slack for a busy machine).
  await waitFor('the take-over', 20_000, () => licensing.calls.some((call) => call.key === hung.key && call.via === survivor));
  const takenOverAt = licensing.calls.find((call) => call.key === hung.key && call.via === survivor)!.at;
  expect(takenOverAt - killedAt).toBeLessThan(LEASE_MS + POLL_MS + 2000);

  await load;
  expect(receipted.size).toBe(orders.length);
  // Everything delivered: two licenses and their rows per order, every recorded message mailed.
  await waitFor(
    'every license provisioned',
    60_000,
    async () => (await count(`SELECT count(*)::int AS n FROM provisioning`)) === orders.length * 2,
  );
  await waitFor(
    'every message sent',
    60_000,
    async () => (await count(`SELECT count(*)::int AS n FROM engagement WHERE delivery <> 'sent'`)) === 0,
  );
  const logged = await count(`SELECT count(*)::int AS n FROM event_log`);
  await waitFor('the reader caught up', 30_000, () => reader.seen.length >= logged);
  await sleep(300);
  await reader.stop();

  // The slow commits did wait (the trigger ran at their commits).
  expect(await count(`SELECT count(*)::int AS n FROM slow_commit WHERE waited > 0`)).toBe(
    Math.ceil((orders.length - 3) / SLOW_COMMIT_EVERY),
  );
  // The feed: every logged event once, none twice, each order's in the order raised.
  const ids = reader.seen.map((event) => event.eventId);
  expect(new Set(ids).size).toBe(ids.length);
  const all = (await pool.query(`SELECT event_id::text AS id FROM event_log ORDER BY position`)).rows.map((row) => row.id);
  expect(ids).toEqual(all);
  for (const order of orders) {
    const names = reader.seen.filter((event) => event.orderRef === order.refNo).map((event) => event.name);
    expect(names.indexOf('order.placed')).toBeLessThan(names.indexOf('order.completed'));
    expect(names.indexOf('order.completed')).toBeLessThan(names.indexOf('fulfillment.granted'));
  }

  // License calls: one per line, never twice from one live worker; again only what the dead one had in flight.
  const calls = licensing.calls;
  expect(new Set(calls.map((call) => call.key)).size).toBe(orders.length * 2);
  expect(
    timesPerSender(
      calls,
      (call) => call.via,
      (call) => call.key,
    ).every((n) => n === 1),
  ).toBe(true);
  for (const call of calls.filter((c) => c.via === survivor)) {
    const earlier = calls.filter((c) => c.key === call.key && c !== call);
    for (const other of earlier) expect([other.via, other.at <= killedAt]).toEqual([holder, true]);
  }

  // Mail: every message once per instance, again only when the dead one had it in flight.
  const messageId = (message: MailTransaction) => /^message-id:\s*(.+)$/im.exec(message.data)?.[1]?.trim() ?? message.data;
  const mails = [...mail.a.received.map((m) => ({ via: 'a', m })), ...mail.b.received.map((m) => ({ via: 'b', m }))];
  expect(
    timesPerSender(
      mails,
      (x) => x.via,
      (x) => messageId(x.m),
    ).every((n) => n === 1),
  ).toBe(true);
  const sent = await count(`SELECT count(*)::int AS n FROM engagement WHERE delivery = 'sent'`);
  expect(sent).toBeGreaterThanOrEqual(orders.length * 2);
  // Each carries its timeline id as its Message-ID: a copy says it is one.
  const recorded = new Set((await pool.query(`SELECT id::text FROM engagement`)).rows.map((row: { id: string }) => row.id));
  expect(mails.filter((x) => !recorded.has(/^<([^@]+)@/.exec(messageId(x.m))?.[1] ?? ''))).toEqual([]);
  expect(new Set(mails.map((x) => messageId(x.m))).size).toBe(sent);
  // What went out twice was in flight at the kill: at most a window of it.
  expect(mails.length - sent).toBeLessThanOrEqual(64);
  expect(calls.length - orders.length * 2).toBeLessThanOrEqual(64);
});
