import { DataSource } from 'typeorm';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { RunningReceiver, WebhookEvent, startReceiver } from '../../examples/webhook-receiver/receiver';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { adminCall, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';

/** examples/webhook-receiver against the real service: verifies every webhook, passes each event on once. */

let database: DatabaseEndpoint;
let t: TestApp;
let receiver: RunningReceiver;
const events: WebhookEvent[] = [];

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database, { OUTBOX_POLL_MS: '50', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SCHEDULE: '200ms' });
});

afterAll(async () => {
  await receiver?.close();
  await t?.close();
  await database?.close();
});

async function until(done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`Not reached in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

it("takes an order's events once each, verified, and drops a replay's duplicates and forgeries", async () => {
  // The receiver needs the secret, the endpoint the receiver's URL: registered first, pointed at it once it runs.
  const registered = await adminCall(t, 'POST', '/api/webhooks', {
    url: 'http://127.0.0.1:9/webhooks',
    events: ['order.*', 'fulfillment.*'],
  });
  expect(registered.status).toBe(201);
  const { id, secret } = registered.body;
  receiver = await startReceiver({ secrets: [secret], onEvent: (event) => void events.push(event) });
  expect((await adminCall(t, 'PATCH', `/api/webhooks/${id}`, { url: receiver.url })).body.url).toBe(receiver.url);

  const order = newOrder({ firstName: 'Zoë Ångström', lastName: '李' });
  await sendStatus(t, order, 'COMPLETE');
  const logged: Array<{ event_id: string }> = await until(() => events.length > 0).then(() =>
    t.app
      .get(DataSource)
      .query(`SELECT event_id FROM event_log WHERE order_ref = $1 AND (name LIKE 'order.%' OR name LIKE 'fulfillment.%')`, [order.refNo]),
  );
  await until(() => events.length >= logged.length);
  expect(events.map((event) => event.id).sort()).toEqual(logged.map((row) => row.event_id).sort());
  expect(events.find((event) => event.type === 'order.completed')?.data.data).toMatchObject({
    customer: { firstName: 'Zoë Ångström', lastName: '李' },
  });

  // A replay sends the same ids again: verified, answered 2xx, not passed on twice.
  const replay = await adminCall(t, 'POST', `/api/webhooks/${id}/replay`, { since: new Date(Date.now() - 60_000).toISOString() });
  expect(replay.body.replayed).toBe(logged.length);
  await until(() => receiver.duplicates === logged.length);
  expect(events).toHaveLength(logged.length);

  // Anything not signed with the secret is refused.
  const forged = await fetch(receiver.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': 'x',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': 'v1,AAAA',
    },
    body: '{"type":"order.completed"}',
  });
  expect(forged.status).toBe(401);
  expect(receiver.refused).toBe(1);
  const attempts = await adminCall(t, 'GET', `/api/webhooks/${id}/attempts`);
  expect(attempts.body.every((attempt: { status: number }) => attempt.status === 204)).toBe(true);
});
