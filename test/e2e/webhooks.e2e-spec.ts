import { DataSource } from 'typeorm';
import { AlertsService } from '../../src/core/observability';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { adminCall, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';
import { Answer, ReceivedWebhook, WebhookPayload, WebhookReceiver, verified } from '../setup/webhook-receiver';

/**
 * Signed webhooks end to end: the real app, the real database, and a real HTTP receiver on 127.0.0.1
 * (WEBHOOK_ALLOW_PRIVATE) that keeps raw bytes; every request any test receives is verified with the
 * standardwebhooks package (afterEach), against the secrets its endpoint had.
 */

const RETRY_SCHEDULE = '200ms,200ms,500ms,1s,1s,1s,1s';
const OVERLAP_MS = 3000;
const TIMEOUT_MS = 1500;

let database: DatabaseEndpoint;
let t: TestApp;
let db: DataSource;
let receiver: WebhookReceiver;
/** Per path: the secrets its requests must verify with (each request with at least one). */
const secretsOf = new Map<string, string[]>();
let paths = 0;

beforeAll(async () => {
  database = await provisionTestDatabase();
  receiver = await WebhookReceiver.start();
  t = await createTestApp(database, {
    OUTBOX_POLL_MS: '50',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_RETRY_SCHEDULE: RETRY_SCHEDULE,
    WEBHOOK_SECRET_OVERLAP: `${OVERLAP_MS / 1000}s`,
    WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
    WEBHOOK_DISABLE_AFTER: '4s',
  });
  db = t.app.get(DataSource);
});

afterEach(() => {
  // Every request received so far verifies over its raw bytes with a secret of its endpoint.
  for (const request of receiver.received) {
    const secrets = secretsOf.get(request.path) ?? [];
    const verifying = secrets.filter((secret) => {
      try {
        verified(request, secret);
        return true;
      } catch {
        return false;
      }
    });
    expect({ path: request.path, verifies: verifying.length > 0 }).toEqual({ path: request.path, verifies: true });
  }
});

afterAll(async () => {
  await t?.close();
  await receiver?.close();
  await database?.close();
});

const api = (method: string, path: string, body?: unknown) => adminCall(t, method, path, body);

interface Endpoint {
  id: string;
  path: string;
  secret: string;
}

/** Registers an endpoint on a fresh path of the receiver, answering as `answer` says. */
async function endpoint(events: string[], answer?: (request: ReceivedWebhook, index: number) => Answer): Promise<Endpoint> {
  paths += 1;
  const path = `/hooks/${paths}`;
  if (answer) receiver.answers.set(path, answer);
  const created = await api('POST', '/api/webhooks', { url: receiver.url(path), events, description: `test ${paths}` });
  expect(created.status).toBe(201);
  secretsOf.set(path, [created.body.secret]);
  return { id: created.body.id, path, secret: created.body.secret };
}

const payloadOf = (request: ReceivedWebhook): WebhookPayload => JSON.parse(request.raw.toString('utf8'));

async function eventsOf(refNo: string, names: string[]): Promise<Array<{ event_id: string; name: string }>> {
  return db.query(`SELECT event_id, name FROM event_log WHERE order_ref = $1 AND name = ANY($2) ORDER BY position`, [refNo, names]);
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Not reached in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('registering', () => {
  it('answers 201 with the secret once; lists and reads without secrets; changes and deletes, every change audited', async () => {
    const created = await api('POST', '/api/webhooks', { url: receiver.url('/registered'), events: ['order.completed', 'fulfillment.*'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: receiver.url('/registered'),
      events: ['order.completed', 'fulfillment.*'],
      status: 'enabled',
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const { id } = created.body;

    const list = await api('GET', '/api/webhooks');
    expect(list.body.find((row: { id: string }) => row.id === id)).toMatchObject({ id, description: null });
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    expect(JSON.stringify((await api('GET', `/api/webhooks/${id}`)).body)).not.toContain('whsec_');

    const changed = await api('PATCH', `/api/webhooks/${id}`, { events: ['*'], description: 'all of it', status: 'disabled' });
    expect(changed.body).toMatchObject({ events: ['*'], description: 'all of it', status: 'disabled', disabledReason: 'manual' });
    expect((await api('DELETE', `/api/webhooks/${id}`)).body).toEqual({ deleted: id });
    expect((await api('GET', `/api/webhooks/${id}`)).status).toBe(404);

    const audit: Array<{ action: string; outcome: string }> = await db.query(
      `SELECT action, outcome FROM admin_audit WHERE action LIKE 'webhook.%' ORDER BY at`,
    );
    expect(audit.slice(0, 3)).toEqual([
      { action: 'webhook.create', outcome: 'done' },
      { action: 'webhook.update', outcome: 'done' },
      { action: 'webhook.delete', outcome: 'done' },
    ]);
    const [{ leaked }] = await db.query(
      `SELECT count(*)::int AS leaked FROM admin_audit WHERE coalesce(detail, '') || target LIKE '%whsec_%'`,
    );
    expect(leaked).toBe(0);
  });

  it.each([
    [{ url: 'http://127.0.0.1/', events: ['order.complete'] }, 'WEBHOOK_UNKNOWN_EVENTS', /order\.complete/],
    [{ url: 'http://127.0.0.1/', events: ['fulfilment.*'] }, 'WEBHOOK_UNKNOWN_EVENTS', /fulfilment\.\*/],
    [{ url: 'http://127.0.0.1/', events: [] }, 'WEBHOOK_INVALID_BODY', /at least one event/],
    [{ url: 'http://127.0.0.1/', events: ['order completed'] }, 'WEBHOOK_INVALID_BODY', /event name/],
    [{ url: 'http://127.0.0.1/', events: ['*'], secret: 'mine' }, 'WEBHOOK_INVALID_BODY', /secret should not exist/],
    [{ events: ['*'] }, 'WEBHOOK_INVALID_BODY', /url must be a string/],
    [{ url: 'ftp://127.0.0.1/', events: ['*'] }, 'WEBHOOK_URL_REFUSED', /http:\/\/ or https:\/\//],
  ])('refuses %j with 400 %s', async (body, code, message) => {
    const refused = await api('POST', '/api/webhooks', body);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ statusCode: 400, code });
    expect(refused.body.message).toMatch(message);
  });

  it('wants the admin token', async () => {
    const response = await fetch(`${t.baseUrl}/api/webhooks`);
    expect(response.status).toBe(401);
  });
});

describe('delivering', () => {
  it('sends the matching events of an order in order, signed over the exact bytes, the envelope as GET /api/events gives it, UTF-8 intact', async () => {
    const hook = await endpoint(['order.completed', 'fulfillment.*']);
    const order = newOrder({ firstName: 'Zoë Ångström', lastName: '李' });
    await sendStatus(t, order, 'COMPLETE');
    const logged = await until(
      () => eventsOf(order.refNo, ['order.completed', 'fulfillment.granted', 'order.placed']),
      (rows) => rows.some((row) => row.name === 'fulfillment.granted'),
    );
    const wanted = logged.filter((row) => row.name !== 'order.placed');
    const requests = await receiver.waitFor(hook.path, wanted.length);
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing else comes
    expect(receiver.of(hook.path)).toHaveLength(wanted.length);

    const payloads = requests.map((request) => verified(request, hook.secret));
    expect(payloads.map((payload) => payload.data.eventId)).toEqual(wanted.map((row) => row.event_id));
    expect(requests.map((request) => request.headers['webhook-id'])).toEqual(wanted.map((row) => row.event_id));
    for (const request of requests) {
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/json');
      expect(String(request.headers['webhook-signature'])).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(Math.abs(Number(request.headers['webhook-timestamp']) - request.at / 1000)).toBeLessThan(5);
    }
    const completed = payloads.find((payload) => payload.type === 'order.completed')!;
    expect(completed.data.data.customer).toMatchObject({ firstName: 'Zoë Ångström', lastName: '李' });
    expect(requests[payloads.indexOf(completed)].raw.includes(Buffer.from('Zoë Ångström', 'utf8'))).toBe(true);
    expect(completed.timestamp).toBe(completed.data.occurredAt);

    const feed = await api('GET', '/api/events?type=order.completed&limit=1000');
    expect(feed.body.events.find((event: { eventId: string }) => event.eventId === completed.data.eventId)).toEqual(completed.data);
  });

  it('retries a failure with the same webhook-id, each attempt signed afresh, and lists the attempts newest first', async () => {
    const hook = await endpoint(['order.completed'], (_request, index) =>
      index < 2 ? { status: 500, body: `boom ${'x'.repeat(400)}\u0000` } : { status: 204 },
    );
    const order = newOrder();
    await sendStatus(t, order, 'COMPLETE');
    const requests = await receiver.waitFor(hook.path, 3);
    const [{ event_id: eventId }] = await eventsOf(order.refNo, ['order.completed']);
    expect(requests.map((request) => request.headers['webhook-id'])).toEqual([eventId, eventId, eventId]);
    expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(190);

    const attempts = await until(
      () => api('GET', `/api/webhooks/${hook.id}/attempts`),
      (answer) => answer.body.length === 3,
    );
    expect(attempts.body.map((row: { attempt: number; status: number }) => [row.attempt, row.status])).toEqual([
      [3, 204],
      [2, 500],
      [1, 500],
    ]);
    expect(attempts.body[0]).toMatchObject({ eventId, type: 'order.completed', error: null });
    expect(attempts.body[1].error).toMatch(/^answered 500: boom x+$/);
    expect(attempts.body[1].error.length).toBeLessThanOrEqual(220);
    expect((await api('GET', `/api/webhooks/${hook.id}/attempts?limit=1`)).body).toHaveLength(1);
    expect((await api('GET', `/api/webhooks/${hook.id}/attempts?limit=0`)).status).toBe(400);
  });

  it("keeps each order's events in order while one of them fails, and lets other orders through", async () => {
    const failing = newOrder();
    const other = newOrder();
    // The failing order's first event fails three times; everything else is taken.
    let failures = 0;
    const hook = await endpoint(['order.*'], (request) => {
      const payload = payloadOf(request);
      if (payload.data.orderRef === failing.refNo && payload.type === 'order.placed' && failures < 3) {
        failures += 1;
        return { status: 502 };
      }
      return { status: 200 };
    });
    await sendStatus(t, failing, 'PENDING');
    await sendStatus(t, failing, 'PAYMENT_AUTHORIZED');
    await sendStatus(t, failing, 'COMPLETE');
    await sendStatus(t, other, 'COMPLETE');
    const names = ['order.placed', 'order.payment_authorized', 'order.completed'];
    const logged = await until(
      () => eventsOf(failing.refNo, names),
      (rows) => rows.length === 3,
    );
    const loggedOther = await until(
      () => eventsOf(other.refNo, names),
      (rows) => rows.length === 3,
    );
    await receiver.waitFor(hook.path, 3 + 3 + 3);
    const delivered = (refNo: string) =>
      receiver
        .of(hook.path)
        .map((request) => ({ request, payload: payloadOf(request) }))
        .filter(({ payload }) => payload.data.orderRef === refNo);
    const failingRequests = delivered(failing.refNo);
    // Each event once accepted, in log order; the first one three times refused before.
    expect(failingRequests.map(({ payload }) => payload.data.eventId)).toEqual([
      logged[0].event_id,
      logged[0].event_id,
      logged[0].event_id,
      logged[0].event_id,
      logged[1].event_id,
      logged[2].event_id,
    ]);
    expect(delivered(other.refNo).map(({ payload }) => payload.data.eventId)).toEqual(loggedOther.map((row) => row.event_id));
    // The other order was not held up by the failing one.
    expect(delivered(other.refNo).at(-1)!.request.at).toBeLessThan(failingRequests[3].request.at);
  });

  it('does not follow a redirect: the attempt fails, and the location is never asked', async () => {
    const hook = await endpoint(['order.completed'], (request) =>
      request.path.endsWith('/moved') ? { status: 200 } : { status: 302, headers: { location: `${request.path}/moved` } },
    );
    await sendStatus(t, newOrder(), 'COMPLETE');
    const attempts = await until(
      () => api('GET', `/api/webhooks/${hook.id}/attempts`),
      (answer) => answer.body.length >= 2,
    );
    expect(attempts.body[0]).toMatchObject({ status: 302, error: 'answered 302 (redirects are not followed)' });
    expect(receiver.of(`${hook.path}/moved`)).toHaveLength(0);
    await api('DELETE', `/api/webhooks/${hook.id}`);
  });
});

describe('what an endpoint asks for', () => {
  it('410 Gone disables the endpoint at once; nothing more is sent; enabled again, it goes on from then', async () => {
    let gone = true;
    const hook = await endpoint(['order.completed'], () => (gone ? { status: 410 } : { status: 200 }));
    await sendStatus(t, newOrder(), 'COMPLETE');
    await receiver.waitFor(hook.path, 1);
    const disabled = await until(
      () => api('GET', `/api/webhooks/${hook.id}`),
      (answer) => answer.body.status === 'disabled',
    );
    expect(disabled.body.disabledReason).toBe('gone');
    await sendStatus(t, newOrder(), 'COMPLETE');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.of(hook.path)).toHaveLength(1);
    // What it had not delivered is skipped: given up, not waiting.
    const items = await db.query(`SELECT status, last_error FROM delivery_item WHERE target = $1`, [`webhook:${hook.id}`]);
    expect(items).toEqual([{ status: 'dead', last_error: expect.stringMatching(/^skipped: the webhook endpoint is disabled/) }]);

    gone = false;
    expect((await api('PATCH', `/api/webhooks/${hook.id}`, { status: 'enabled' })).body).toMatchObject({
      status: 'enabled',
      disabledReason: null,
    });
    const later = newOrder();
    await sendStatus(t, later, 'COMPLETE');
    const [second] = (await receiver.waitFor(hook.path, 2)).slice(1);
    expect(payloadOf(second).data.orderRef).toBe(later.refNo);
  });

  it.each([
    ['503 with Retry-After in seconds', () => ({ status: 503, headers: { 'retry-after': '2' } })],
    [
      '429 with Retry-After as an HTTP date',
      () => ({ status: 429, headers: { 'retry-after': new Date(Date.now() + 3000).toUTCString() } }),
    ],
  ])('%s waits at least that long', async (_case, refusal) => {
    const hook = await endpoint(['order.completed'], (_request, index) => (index === 0 ? refusal() : { status: 200 }));
    await sendStatus(t, newOrder(), 'COMPLETE');
    const [first, second] = await receiver.waitFor(hook.path, 2);
    // The schedule says 200 ms; the endpoint asked for 2 s or more (an HTTP date has whole seconds).
    expect(second.at - first.at).toBeGreaterThanOrEqual(1900);
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
  });

  it('an endpoint that never answers times out after WEBHOOK_TIMEOUT_MS, holds up no other endpoint, and after 3 is paused', async () => {
    const silent = await endpoint(['order.completed'], () => ({ hang: true }));
    const prompt = await endpoint(['order.completed']);
    await Promise.all([newOrder(), newOrder(), newOrder()].map((order) => sendStatus(t, order, 'COMPLETE')));
    const promptly = await receiver.waitFor(prompt.path, 3);
    const hung = await receiver.waitFor(silent.path, 3);
    expect(Math.max(...promptly.map((request) => request.at)) - Math.min(...hung.map((request) => request.at))).toBeLessThan(TIMEOUT_MS);
    const attempts = await until(
      () => api('GET', `/api/webhooks/${silent.id}/attempts`),
      (answer) => answer.body.some((row: { error: string }) => row.error.startsWith('not tried')),
    );
    const timedOut = attempts.body.filter((row: { error: string }) => row.error === `no answer within ${TIMEOUT_MS} ms`);
    expect(timedOut).toHaveLength(3);
    for (const row of timedOut) expect(row).toMatchObject({ attempt: 1, status: null, durationMs: expect.any(Number) });
    expect(Math.min(...timedOut.map((row: { durationMs: number }) => row.durationMs))).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    // Three in a row without an answer: the retries fail at once for a while, without connecting.
    expect(attempts.body[0]).toMatchObject({
      attempt: 2,
      status: null,
      durationMs: 0,
      error: expect.stringMatching(/^not tried: no answer to 3 attempts in a row/),
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(receiver.of(silent.path)).toHaveLength(3);
    await api('DELETE', `/api/webhooks/${silent.id}`);
  });

  it('with no success for WEBHOOK_DISABLE_AFTER since its first failure, the endpoint is disabled and an alert raised', async () => {
    const hook = await endpoint(['order.completed'], () => ({ status: 500 }));
    await sendStatus(t, newOrder(), 'COMPLETE');
    const disabled = await until(
      () => api('GET', `/api/webhooks/${hook.id}`),
      (answer) => answer.body.status === 'disabled',
      15_000,
    );
    expect(disabled.body.disabledReason).toBe('failing');
    const attempts = (await api('GET', `/api/webhooks/${hook.id}/attempts`)).body;
    expect(new Date(attempts[0].at).getTime() - new Date(attempts.at(-1).at).getTime()).toBeGreaterThanOrEqual(4000);
    const alerts = t.app.get(AlertsService);
    await alerts.evaluate();
    expect((await alerts.active()).map((alert) => alert.alert)).toContain('webhook_endpoints_disabled');
    await api('PATCH', `/api/webhooks/${hook.id}`, { status: 'enabled' });
    await api('DELETE', `/api/webhooks/${hook.id}`);
  });
});

describe('secrets and replays', () => {
  it('after a rotation, both secrets verify during the overlap; after it, only the new one', async () => {
    const hook = await endpoint(['order.completed']);
    const rotated = await api('POST', `/api/webhooks/${hook.id}/secret/rotate`);
    expect(rotated.status).toBe(200);
    const { secret } = rotated.body;
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(hook.secret);
    secretsOf.set(hook.path, [secret, hook.secret]);

    await sendStatus(t, newOrder(), 'COMPLETE');
    const [during] = await receiver.waitFor(hook.path, 1);
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verified(during, secret).type).toBe('order.completed');
    expect(verified(during, hook.secret).type).toBe('order.completed');

    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, new Date(rotated.body.previousValidUntil).getTime() - Date.now() + 200)),
    );
    await sendStatus(t, newOrder(), 'COMPLETE');
    const [, after] = await receiver.waitFor(hook.path, 2);
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verified(after, secret).type).toBe('order.completed');
    expect(() => verified(after, hook.secret)).toThrow(/No matching signature/);
  });

  it('replays events older than 5 minutes with their own id and a fresh timestamp, so they still verify', async () => {
    const hook = await endpoint(['order.completed']);
    const order = newOrder();
    await sendStatus(t, order, 'COMPLETE');
    const [original] = await receiver.waitFor(hook.path, 1);
    // The event was logged ten minutes ago, as far as the log knows.
    await db.query(
      `UPDATE event_log SET logged_at = now() - interval '10 minutes', occurred_at = now() - interval '10 minutes' WHERE order_ref = $1`,
      [order.refNo],
    );

    const replay = await api('POST', `/api/webhooks/${hook.id}/replay`, { since: new Date(Date.now() - 15 * 60_000).toISOString() });
    expect(replay.status).toBe(200);
    expect(replay.body.replayed).toBeGreaterThanOrEqual(1);
    const again = await until(
      async () => receiver.of(hook.path).filter((request) => request !== original && payloadOf(request).data.orderRef === order.refNo),
      (requests) => requests.length === 1,
    );
    const payload = verified(again[0], hook.secret);
    expect(again[0].headers['webhook-id']).toBe(original.headers['webhook-id']);
    expect(Date.now() - new Date(payload.timestamp).getTime()).toBeGreaterThan(9 * 60_000);
    expect(Math.abs(Number(again[0].headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(10);

    expect((await api('POST', `/api/webhooks/${hook.id}/replay`, { since: 'yesterday' })).body.code).toBe('WEBHOOK_INVALID_BODY');
    await api('PATCH', `/api/webhooks/${hook.id}`, { status: 'disabled' });
    expect((await api('POST', `/api/webhooks/${hook.id}/replay`, { since: new Date().toISOString() })).body).toMatchObject({
      statusCode: 409,
      code: 'WEBHOOK_DISABLED',
    });
  });
});
