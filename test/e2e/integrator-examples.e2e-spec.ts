import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { AcmeLicensingModule } from '../../examples/licensing/acme-licensing.module';
import { CrmModule } from '../../examples/crm/crm.module';
import { ProvisioningQuery } from '../../src/modules/fulfillment';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { drained, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase, withClient } from '../setup/test-database';

/** A local HTTP server standing in for an outside API; `answer` decides each reply. */
class StandIn {
  readonly requests: Array<{ path: string; headers: IncomingMessage['headers']; body: any; committed?: boolean }> = [];
  private server!: Server;

  constructor(private readonly answer: (request: StandIn['requests'][number], response: ServerResponse) => Promise<void> | void) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const entry = {
          path: request.url ?? '',
          headers: request.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'),
        };
        this.requests.push(entry);
        void Promise.resolve(this.answer(entry, response)).catch(() => response.destroy());
      });
    });
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((done) => this.server.close(() => done()));
  }
}

let database: DatabaseEndpoint;
let t: TestApp;
const attemptsByKey = new Map<string, number>();

/** Is the event behind this idempotency key (its last part is the event id) committed, seen from another connection? */
async function committed(key: string): Promise<boolean> {
  const eventId = key.split(':').at(-1);
  return withClient(
    database.url,
    async (client) => (await client.query(`SELECT 1 FROM event_log WHERE event_id = $1`, [eventId])).rowCount === 1,
  );
}

const licensing = new StandIn(async (request, response) => {
  const key = String(request.headers['idempotency-key']);
  request.committed = await committed(key);
  const attempt = (attemptsByKey.get(key) ?? 0) + 1;
  attemptsByKey.set(key, attempt);
  if (attempt === 1) {
    response.writeHead(503).end(); // Acme is briefly down: the stage retries.
    return;
  }
  response
    .writeHead(201, { 'content-type': 'application/json' })
    .end(JSON.stringify({ id: `lic-${key.slice(-8)}`, key: `ACME-${request.body.order}-${request.body.line}` }));
});

let crmCalls = 0;
const crm = new StandIn(async (request, response) => {
  request.committed = await committed(String(request.headers['idempotency-key']));
  crmCalls += 1;
  if (crmCalls === 1) await new Promise((done) => setTimeout(done, 1500)); // Past SUBSCRIBER_TIMEOUT_MS: retried.
  response.writeHead(204).end();
});

beforeAll(async () => {
  const [licensingUrl, crmUrl] = await Promise.all([licensing.start(), crm.start()]);
  database = await provisionTestDatabase();
  t = await createTestApp(database, { OUTBOX_POLL_MS: '50', OUTBOX_BACKOFF_MS: '50', SUBSCRIBER_TIMEOUT_MS: '1000' }, [
    CrmModule.forRoot({ baseUrl: crmUrl, apiKey: 'crm-key' }),
    AcmeLicensingModule.forRoot({ baseUrl: licensingUrl, apiKey: 'acme-key', productIds: ['40898000'] }),
  ]);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
  await Promise.all([licensing.stop(), crm.stop()]);
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

function provisionings(refNo: string) {
  return t.app.get(ProvisioningQuery).ofOrder(refNo);
}

it('provisions the licensed line through the Acme strategy after the grant committed, retried past a 503', async () => {
  const order = newOrder();
  await sendStatus(t, order, 'COMPLETE');
  await drained(t);
  const [provisioning] = await until('the provisioning', async () => {
    const found = await provisionings(order.refNo);
    return found.length === 1 ? found : undefined;
  });
  // Only the product Acme licenses (40898000, line 1), not the support add-on.
  expect(provisioning).toMatchObject({
    strategy: 'acme-licensing',
    refNo: order.refNo,
    result: { licenseCodes: [`ACME-${order.refNo}-1`], details: { acmeLicenseId: expect.stringMatching(/^lic-/) } },
  });
  const requests = licensing.requests.filter((request) => request.body.order === order.refNo);
  expect(requests).toHaveLength(2);
  expect(requests.every((request) => request.headers['idempotency-key'] === provisioning.idempotencyKey)).toBe(true);
  expect(requests[1].headers.authorization).toBe('Bearer acme-key');
  expect(requests[1].body).toMatchObject({ product: '40898000', line: 1, seats: 1, email: order.email, test: true });
  // Called after the commit: the grant was already visible to another connection.
  expect(requests.map((request) => request.committed)).toEqual([true, true]);
});

it('keeps a CRM up to date from order.completed and fulfillment.granted, typed, after the commit, past a timeout', async () => {
  const order = newOrder();
  await sendStatus(t, order, 'COMPLETE');
  await drained(t);
  const received = await until('the CRM calls', async () => {
    const found = crm.requests.filter((request) => request.body.activity.refNo === order.refNo);
    const kinds = new Set(found.map((request) => request.body.activity.type));
    // A request is on the list before the stand-in has looked whether its event is committed.
    return kinds.size === 2 && found.every((request) => request.committed !== undefined) ? found : undefined;
  });
  const updates = received.map((request) => request.body.activity);
  expect(updates).toEqual(
    expect.arrayContaining([
      { type: 'order_completed', refNo: order.refNo, total: '69.00' },
      { type: 'access_granted', refNo: order.refNo, products: ['Software program', 'Support add-on — 1 year'] },
    ]),
  );
  expect(received.every((request) => request.committed && request.headers.authorization === 'Bearer crm-key')).toBe(true);
  // The order's events in the order they were raised: the completion before the grant.
  const first = (type: string) => received.findIndex((request) => request.body.activity.type === type);
  expect(first('order_completed')).toBeLessThan(first('access_granted'));
  const completed = received.find((request) => request.body.activity.type === 'order_completed');
  expect(completed?.body).toMatchObject({ email: order.email, firstName: 'Zoë', test: true });
});

it('provisions once per grant, however often the notification is replayed', async () => {
  const order = newOrder();
  await sendStatus(t, order, 'COMPLETE');
  await drained(t);
  await until('the provisioning', async () => ((await provisionings(order.refNo)).length === 1 ? true : undefined));
  const { body } = await fetch(`${t.baseUrl}/api/ipn/messages?refNo=${order.refNo}`, {
    headers: { authorization: 'Bearer test-admin-token-0123456789' },
  }).then(async (response) => ({ body: (await response.json()) as Array<{ id: string }> }));
  await fetch(`${t.baseUrl}/api/ipn/messages/${body[0].id}/replay`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-admin-token-0123456789' },
  });
  await drained(t);
  await new Promise((done) => setTimeout(done, 500));
  expect(await provisionings(order.refNo)).toHaveLength(1);
  expect(licensing.requests.filter((request) => request.body.order === order.refNo)).toHaveLength(2); // the 503, then the success
});
