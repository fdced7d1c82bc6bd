import { Injectable, Module } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { sampleIpn, sampleLcn, signForm } from '../../src/cli/sample-notification';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { Consumer, EventConsumer } from '../../src/core/events';
import { AccountCreatedEvent } from '../../src/modules/accounts';
import { FulfillmentGrantedEvent } from '../../src/modules/fulfillment';
import { LicenseChangedEvent } from '../../src/modules/subscriptions';
import { OrderCompletedEvent } from '../../src/modules/orders';
import { TEST_SECRET_KEY, TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { admin, countEvents, drained, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';

/** An integrator's fire-and-forget listener (@OnEvent), as docs/integrating.md describes it. */
@Injectable()
class IntegratorListener {
  static completed: OrderCompletedEvent[] = [];

  @OnEvent(OrderCompletedEvent.NAME)
  onCompleted(event: OrderCompletedEvent): void {
    IntegratorListener.completed.push(event);
  }
}

/** An integrator's durable consumer (the house contract): records what it is handed. */
@Consumer('test.recorder', FulfillmentGrantedEvent, LicenseChangedEvent)
class Recorder implements EventConsumer<FulfillmentGrantedEvent | LicenseChangedEvent> {
  static events: Array<FulfillmentGrantedEvent | LicenseChangedEvent> = [];

  async handle(events: ReadonlyArray<FulfillmentGrantedEvent | LicenseChangedEvent>): Promise<void> {
    Recorder.events.push(...events);
  }
}

@Module({ providers: [IntegratorListener, Recorder] })
class IntegratorModule {}

let database: DatabaseEndpoint;
let t: TestApp;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database, { OUTBOX_POLL_MS: '50' }, [IntegratorModule]);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

const kinds = (items: Array<{ kind: string }>) => items.map((item) => item.kind).sort();

it('runs a two-product order through PENDING -> PAYMENT_AUTHORIZED -> COMPLETE -> REFUND', async () => {
  const order = newOrder();
  await sendStatus(t, order, 'PENDING');
  await sendStatus(t, order, 'PAYMENT_AUTHORIZED');
  await drained(t);
  let view = (await admin(t, `/api/orders/${order.refNo}`)).body;
  expect(view).toMatchObject({ refNo: order.refNo, status: 'PAYMENT_AUTHORIZED', test: true });
  expect(view.account.email).toBe(order.email);
  expect(view.fulfillments).toEqual([]);

  await sendStatus(t, order, 'COMPLETE');
  await drained(t);
  view = (await admin(t, `/api/orders/${order.refNo}`)).body;
  expect(view.fulfillments.map((f: any) => [f.productId, f.status, f.licenseRef])).toEqual([
    ['40898000', 'granted', 'LIC-A'],
    ['40898001', 'granted', 'LIC-B'],
  ]);
  const granted = Recorder.events.find(
    (event) => event.name === 'fulfillment.granted' && event.orderRef === order.refNo,
  ) as FulfillmentGrantedEvent;
  expect(granted.data.entitlements.map((e: any) => [e.entitlementId, e.lineNo])).toEqual(
    view.fulfillments.map((f: any) => [f.id, f.lineNo]),
  );

  await sendStatus(t, order, 'REFUND');
  await drained(t);
  view = (await admin(t, `/api/orders/${order.refNo}`)).body;
  expect(view.status).toBe('REFUND');
  expect(view.customer.email).toBe(order.email);
  expect(view.items.map((item: any) => [item.productId, item.name, item.quantity])).toEqual([
    ['40898000', 'Software program', 1],
    ['40898001', 'Support add-on — 1 year', 2],
  ]);
  expect(view.history.map((entry: any) => entry.status)).toEqual(['PENDING', 'PAYMENT_AUTHORIZED', 'COMPLETE', 'REFUND']);
  expect(view.fulfillments.map((f: any) => f.status)).toEqual(['revoked', 'revoked']);
  expect(kinds(view.engagements)).toEqual(['access_granted', 'order_confirmation', 'refund_notice', 'welcome']);
  for (const name of [
    'order.placed',
    'order.payment_authorized',
    'order.completed',
    'order.refunded',
    'account.created',
    'fulfillment.granted',
    'fulfillment.revoked',
  ]) {
    expect([name, await countEvents(t, name, order.refNo)]).toEqual([name, 1]);
  }
  const events = await t.app
    .get(DataSource)
    .query(`SELECT jsonb_build_object('test', test, 'version', version) AS link FROM event_log WHERE order_ref = $1`, [order.refNo]);
  expect(events.length).toBeGreaterThan(7);
  expect(events.every(({ link }: any) => link.test === true && link.version === 1)).toBe(true);
});

it('gives one order, one account and one entitlement per line for the same COMPLETE delivered 10 times at once', async () => {
  const order = newOrder({ status: 'COMPLETE' });
  const body = signForm(sampleIpn(order), ['sha3-256'], TEST_SECRET_KEY);
  const responses = await Promise.all(Array.from({ length: 10 }, () => postForm(`${t.baseUrl}/ipn`, body)));
  expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
  // And ten new sendings of the same event (new MESSAGE_ID, IPN_DATE) racing each other.
  await Promise.all(Array.from({ length: 10 }, () => sendStatus(t, order, 'COMPLETE')));
  await drained(t);

  const view = (await admin(t, `/api/orders/${order.refNo}`)).body;
  expect(view.status).toBe('COMPLETE');
  expect(view.fulfillments).toHaveLength(2);
  expect(view.fulfillments.every((f: any) => f.status === 'granted')).toBe(true);
  const customer = (await admin(t, `/api/customers?email=${encodeURIComponent(order.email)}`)).body;
  expect(customer.orders).toHaveLength(1);
  expect(customer.account.orders).toEqual([order.refNo]);
  expect(await countEvents(t, 'account.created', order.refNo)).toBe(1);
  expect(await countEvents(t, 'fulfillment.granted', order.refNo)).toBe(1);
  expect(kinds(customer.timeline)).toEqual(['access_granted', 'order_confirmation', 'welcome']);
});

it('ends in the right state whatever the arrival order', async () => {
  const order = newOrder();
  await sendStatus(t, order, 'COMPLETE');
  await sendStatus(t, order, 'PENDING');
  await sendStatus(t, order, 'PAYMENT_AUTHORIZED');
  await drained(t);
  const view = (await admin(t, `/api/orders/${order.refNo}`)).body;
  expect(view.status).toBe('COMPLETE');
  expect(view.history.map((entry: any) => [entry.status, entry.applied])).toEqual([
    ['COMPLETE', true],
    ['PENDING', false],
    ['PAYMENT_AUTHORIZED', false],
  ]);
  expect(view.fulfillments.map((f: any) => f.status)).toEqual(['granted', 'granted']);
  expect(await countEvents(t, 'order.completed', order.refNo)).toBe(1);
});

it('records an unknown status without moving the order', async () => {
  const order = newOrder();
  await sendStatus(t, order, 'PENDING');
  await sendStatus(t, order, 'SOMETHING_NEW');
  await drained(t);
  const view = (await admin(t, `/api/orders/${order.refNo}`)).body;
  expect(view.status).toBe('PENDING');
  expect(view.history.map((entry: any) => [entry.status, entry.applied])).toEqual([
    ['PENDING', true],
    ['SOMETHING_NEW', false],
  ]);
});

it('reuses the account for a second order by the same email', async () => {
  const first = newOrder();
  const second = newOrder({ email: first.email.toUpperCase() });
  await sendStatus(t, first, 'COMPLETE');
  await drained(t);
  await sendStatus(t, second, 'COMPLETE');
  await drained(t);
  const one = (await admin(t, `/api/orders/${first.refNo}`)).body.account;
  const two = (await admin(t, `/api/orders/${second.refNo}`)).body.account;
  expect(two.id).toBe(one.id);
  const account = (await admin(t, `/api/accounts/${one.id}`)).body;
  expect(account.orders).toEqual([first.refNo, second.refNo]);
  expect(await countEvents(t, 'account.created', second.refNo)).toBe(0);
});

it('changes nothing when a stored message is replayed', async () => {
  const order = newOrder();
  await sendStatus(t, order, 'COMPLETE');
  await drained(t);
  const [message] = (await admin(t, `/api/ipn/messages?refNo=${order.refNo}`)).body;
  expect(message.fields).toMatchObject({ REFNO: order.refNo, ORDERSTATUS: 'COMPLETE', CUSTOMEREMAIL: order.email });
  expect(message.fields.IPN_PNAME).toEqual(['Software program', 'Support add-on — 1 year']);
  const snapshot = async () => ({
    // The replay's own received event aside, no event may be raised.
    events: (await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM outbox_event WHERE name <> 'ipn.received'`))[0].n,
    order: (await admin(t, `/api/orders/${order.refNo}`)).body,
  });
  const before = await snapshot();
  expect((await admin(t, `/api/ipn/messages/${message.id}/replay`, 'POST')).status).toBe(200);
  await drained(t);
  const after = await snapshot();
  expect(after.events).toBe(before.events);
  expect(after.order).toEqual(before.order);
});

it('holds fulfilment while FRAUD_STATUS is not APPROVED, then grants it', async () => {
  const order = newOrder();
  await sendStatus(t, order, 'COMPLETE', { fraudStatus: 'UNDER REVIEW' });
  await drained(t);
  expect((await admin(t, `/api/orders/${order.refNo}`)).body.fulfillments.map((f: any) => f.status)).toEqual(['held', 'held']);
  expect(await countEvents(t, 'order.fraud_flagged', order.refNo)).toBe(1);

  await sendStatus(t, order, 'COMPLETE', { fraudStatus: 'APPROVED' });
  await drained(t);
  expect((await admin(t, `/api/orders/${order.refNo}`)).body.fulfillments.map((f: any) => f.status)).toEqual(['granted', 'granted']);
});

it('applies a License Change Notification to the entitlement that carries the license', async () => {
  const order = newOrder({ products: [{ id: '1', code: 'C', name: 'App', quantity: 1, price: '9.00', licenseRef: `L-${process.pid}` }] });
  await sendStatus(t, order, 'COMPLETE');
  await drained(t);
  const lcn = signForm(sampleLcn(`L-${process.pid}`, '2030-01-01 00:00:00', 'DISABLED'), ['sha256'], TEST_SECRET_KEY);
  expect((await postForm(`${t.baseUrl}/lcn`, lcn)).status).toBe(200);
  await drained(t);
  const [entitlement] = (await admin(t, `/api/orders/${order.refNo}`)).body.fulfillments;
  expect(entitlement).toMatchObject({ licenseExpiresAt: '2030-01-01 00:00:00', licenseStatus: 'DISABLED', licenseDisabled: true });
  const changes = Recorder.events.filter(
    (event) => event.name === 'license.changed' && (event as LicenseChangedEvent).data.licenseCode === `L-${process.pid}`,
  );
  expect(changes).toHaveLength(1);
});

it('tells an integrator subscribed with @OnEvent of typed, versioned events after their commit', async () => {
  const order = newOrder();
  await sendStatus(t, order, 'COMPLETE');
  await drained(t);
  // Fire and forget: told just after the commit that settled the delivery.
  const heard = () => IntegratorListener.completed.find((candidate) => candidate.orderRef === order.refNo);
  for (let waited = 0; !heard() && waited < 5000; waited += 20) await new Promise((done) => setTimeout(done, 20));
  const event = heard()!;
  expect(event).toMatchObject({ name: 'order.completed', version: 1, test: true, data: { refNo: order.refNo, status: 'COMPLETE' } });
  expect(event.eventId).toMatch(/^[0-9a-f-]{36}$/);
  expect(AccountCreatedEvent.NAME).toBe('account.created');
});

describe('admin API', () => {
  it.each([
    '/api/orders/1',
    '/api/accounts/00000000-0000-0000-0000-000000000000',
    '/api/customers?email=a@b.c',
    '/api/ipn/messages',
    '/api/events/dead-letters',
  ])('answers 401 to %s without the token', async (path) => {
    const anonymous = await fetch(`${t.baseUrl}${path}`);
    expect(anonymous.status).toBe(401);
    const wrong = await fetch(`${t.baseUrl}${path}`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(await wrong.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
  });

  it('answers 404 for an unknown order', async () => {
    expect(await admin(t, '/api/orders/does-not-exist')).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });
});
