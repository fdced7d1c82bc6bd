import { DataSource } from 'typeorm';
import { DEFAULT_PRODUCTS, SampleOrder, sampleIpn, signForm } from '../../src/cli/sample-notification';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY, TestApp, postForm } from './create-test-app';

let sequence = 0;

/** A test order with a unique REFNO (and, unless given, a unique email). */
export function newOrder(overrides: Partial<SampleOrder> = {}): SampleOrder {
  sequence += 1;
  const refNo = `${process.pid}${String(sequence).padStart(4, '0')}`;
  return {
    refNo,
    status: 'PENDING',
    email: `buyer-${refNo}@example.com`,
    test: true,
    products: DEFAULT_PRODUCTS,
    messageId: `msg-${refNo}`,
    ipnDate: '20261124100000',
    ...overrides,
  };
}

let sending = 0;

/** Sends `status` for the order as a new sending (new MESSAGE_ID and IPN_DATE); expects a receipt. */
export async function sendStatus(t: TestApp, order: SampleOrder, status: string, extra: Partial<SampleOrder> = {}): Promise<string> {
  sending += 1;
  const ipnDate = `2026112410${String(sending % 60).padStart(2, '0')}${String(sending % 60).padStart(2, '0')}`;
  const body = signForm(
    sampleIpn({ ...order, status, messageId: `${order.messageId}-${sending}`, ipnDate, ...extra }),
    ['sha256'],
    TEST_SECRET_KEY,
  );
  const response = await postForm(`${t.baseUrl}/ipn`, body);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`IPN ${status} for ${order.refNo}: ${response.status} ${text}`);
  return text;
}

/** Waits until every outbox event has been settled (delivered or dead-lettered). */
export async function drained(t: TestApp, timeoutMs = 20000): Promise<void> {
  const dataSource = t.app.get(DataSource);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [{ pending }] = await dataSource.query(`SELECT count(*)::int AS pending FROM outbox_event WHERE status = 'pending'`);
    if (pending === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('The outbox did not drain in time');
}

export async function admin<T = any>(t: TestApp, path: string, method = 'GET'): Promise<{ status: number; body: T }> {
  const response = await fetch(`${t.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  return { status: response.status, body: (await response.json()) as T };
}

/**
 * Events of this name about the order: received events, and the events their deliveries raised (the
 * event log; for deliveries settled before it existed, the chain kept on their received event).
 */
export async function countEvents(t: TestApp, name: string, orderRef: string): Promise<number> {
  const [{ n }] = await t.app.get(DataSource).query(
    `SELECT count(*)::int AS n FROM (
       SELECT name, payload->>'orderRef' AS ref FROM outbox_event
       UNION ALL SELECT link->>'name', link->>'orderRef' FROM outbox_event, jsonb_array_elements(chain) AS link
       UNION ALL SELECT name, order_ref FROM event_log) AS e
     WHERE name = $1 AND ref = $2`,
    [name, orderRef],
  );
  return n;
}

/** An admin API call with an optional JSON body; an empty answer (204) has no body. */
export async function adminCall<T = any>(t: TestApp, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${t.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}
