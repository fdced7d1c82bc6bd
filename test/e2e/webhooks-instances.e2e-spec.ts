import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { adminCall, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';
import { WebhookReceiver, verified } from '../setup/webhook-receiver';

/**
 * Two instances on one database: endpoints are changed through one that does not deliver
 * (OUTBOX_RELAY=off); the other, which delivers, follows each change within about a second (given 2.5 s here: a loaded machine is slow).
 */

let database: DatabaseEndpoint;
let api: TestApp;
let worker: TestApp;
let receiver: WebhookReceiver;

beforeAll(async () => {
  database = await provisionTestDatabase();
  receiver = await WebhookReceiver.start();
  const env = { OUTBOX_POLL_MS: '50', WEBHOOK_ALLOW_PRIVATE: 'true' };
  worker = await createTestApp(database, env);
  api = await createTestApp(database, { ...env, OUTBOX_RELAY: 'off' });
});

afterAll(async () => {
  await api?.close();
  await worker?.close();
  await receiver?.close();
  await database?.close();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('an endpoint registered, rotated, changed and disabled on one instance is delivered accordingly by another', async () => {
  const created = await adminCall(api, 'POST', '/api/webhooks', { url: receiver.url('/a'), events: ['order.completed'] });
  await sendStatus(api, newOrder(), 'COMPLETE');
  const [first] = await receiver.waitFor('/a', 1);
  expect(verified(first, created.body.secret).type).toBe('order.completed');

  const { secret } = (await adminCall(api, 'POST', `/api/webhooks/${created.body.id}/secret/rotate`)).body;
  await adminCall(api, 'PATCH', `/api/webhooks/${created.body.id}`, { url: receiver.url('/b') });
  await pause(2500);
  await sendStatus(api, newOrder(), 'COMPLETE');
  const [moved] = await receiver.waitFor('/b', 1);
  expect(String(moved.headers['webhook-signature']).split(' ')).toHaveLength(2);
  expect(verified(moved, secret).type).toBe('order.completed');

  await adminCall(api, 'PATCH', `/api/webhooks/${created.body.id}`, { status: 'disabled' });
  await pause(2500);
  await sendStatus(api, newOrder(), 'COMPLETE');
  await pause(2500);
  expect(receiver.of('/b')).toHaveLength(1);
  expect(receiver.received).toHaveLength(2);
});
