import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { adminCall, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';
import { WebhookReceiver } from '../setup/webhook-receiver';

/** The SSRF rules with WEBHOOK_ALLOW_PRIVATE off, as in production: at registration, and when a delivery connects. */

let database: DatabaseEndpoint;
let t: TestApp;
let receiver: WebhookReceiver;

beforeAll(async () => {
  database = await provisionTestDatabase();
  receiver = await WebhookReceiver.start();
  t = await createTestApp(database, { OUTBOX_POLL_MS: '50', WEBHOOK_RETRY_SCHEDULE: '5s' });
});

afterAll(async () => {
  await t?.close();
  await receiver?.close();
  await database?.close();
});

const api = (method: string, path: string, body?: unknown) => adminCall(t, method, path, body);

it.each([
  'http://127.0.0.1:8080/hook',
  'http://127.8.9.10/',
  'http://2130706433/',
  'http://0x7f000001/',
  'http://0x7f.1/',
  'http://017700000001/',
  'http://127.1/',
  'http://0/',
  'http://0.0.0.0/',
  'http://[::]/',
  'http://[::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[64:ff9b::127.0.0.1]/',
  'http://[64:ff9b::a00:1]/',
  'http://[2002:7f00:1::]/',
  'http://10.0.0.1/',
  'http://172.16.5.4/',
  'http://192.168.0.10/',
  'http://100.64.0.1/',
  'http://169.254.10.10/',
  'http://169.254.169.254/latest/meta-data/',
  'http://[fd00:ec2::254]/',
  'http://metadata.google.internal/computeMetadata/v1/',
  'http://[fc00::1]/',
  'http://[fd12::1]/',
  'http://[fe80::1]/',
  'http://224.0.0.1/',
  'http://[ff02::1]/',
  'http://255.255.255.255/',
  'file:///etc/passwd',
  'gopher://example.com/',
])('refuses %s at registration with 400 WEBHOOK_URL_REFUSED', async (url) => {
  const refused = await api('POST', '/api/webhooks', { url, events: ['order.completed'] });
  expect(refused.status).toBe(400);
  expect(refused.body.code).toBe('WEBHOOK_URL_REFUSED');
});

it('refuses a private URL on a change too', async () => {
  const created = await api('POST', '/api/webhooks', { url: 'https://hooks.example.com/ipn', events: ['order.completed'] });
  expect(created.status).toBe(201);
  const refused = await api('PATCH', `/api/webhooks/${created.body.id}`, { url: 'http://[::ffff:10.0.0.1]/' });
  expect(refused).toMatchObject({ status: 400, body: { code: 'WEBHOOK_URL_REFUSED' } });
  expect((await api('GET', `/api/webhooks/${created.body.id}`)).body.url).toBe('https://hooks.example.com/ipn');
  await api('DELETE', `/api/webhooks/${created.body.id}`);
});

it('refuses at connect time a name that resolves to a loopback address, sending nothing', async () => {
  // `localhost` stands for any public-looking name that resolves (or is rebound) to 127.0.0.1.
  const created = await api('POST', '/api/webhooks', { url: receiver.url('/rebound', 'localhost'), events: ['order.completed'] });
  expect(created.status).toBe(201);
  await sendStatus(t, newOrder(), 'COMPLETE');
  const deadline = Date.now() + 20_000;
  let attempts: Array<{ status: number | null; error: string }> = [];
  while (attempts.length === 0 && Date.now() < deadline) {
    attempts = (await api('GET', `/api/webhooks/${created.body.id}/attempts`)).body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(attempts[0]).toMatchObject({ status: null });
  expect(attempts[0].error).toMatch(/^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address$/);
  expect(receiver.received).toHaveLength(0);
});
