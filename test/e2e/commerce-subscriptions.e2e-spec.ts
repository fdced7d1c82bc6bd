import { DataSource } from 'typeorm';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { admin, countEvents } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';
import { GraceExpiryService } from '../../src/modules/subscriptions/application/grace-expiry.service';
import { ScenarioRun } from './commerce-scenario';

let database: DatabaseEndpoint;
let t: TestApp;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database, { OUTBOX_POLL_MS: '50' });
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

const statuses = (order: any) => order.fulfillments.map((f: any) => f.status);

describe('renewals', () => {
  it('extends one subscription and one entitlement through two renewals, links each order, reuses the account, sends a renewal receipt', async () => {
    const run = new ScenarioRun(t, 'renewal');
    await run.send(1);
    const first = await run.order(1);
    expect(first.fulfillments).toEqual([
      expect.objectContaining({ lineNo: 1, licenseRef: run.license, status: 'granted', licenseExpiresAt: '2027-11-24 10:25:40' }),
    ]);
    expect(await run.subscription()).toMatchObject({
      licenseRef: run.license,
      productId: '40898100',
      status: 'active',
      expiresAt: '2027-11-24 10:25:40',
      cancelAtPeriodEnd: false,
      orders: [{ refNo: run.refNo(1), kind: 'new' }],
      account: { id: first.account.id, email: run.ids.email },
    });

    await run.send(2);
    const renewal = await run.order(2);
    // The renewal carries the same entitlement, extended: never a second one for the license.
    expect(renewal.fulfillments).toEqual([
      expect.objectContaining({
        id: first.fulfillments[0].id,
        lineNo: 1,
        licenseRef: run.license,
        status: 'granted',
        licenseExpiresAt: '2028-11-24 10:25:40',
      }),
    ]);
    expect((await run.order(1)).fulfillments[0]).toMatchObject({ id: first.fulfillments[0].id, licenseExpiresAt: '2028-11-24 10:25:40' });
    expect(renewal.account.id).toBe(first.account.id);
    expect(renewal.engagements.map((message: any) => message.kind)).toEqual(['renewal_receipt']);
    expect(await countEvents(t, 'fulfillment.granted', run.refNo(2))).toBe(0);
    expect(await countEvents(t, 'subscription.renewed', run.refNo(2))).toBe(1);

    await run.send(3);
    const subscription = await run.subscription();
    expect(subscription).toMatchObject({ status: 'active', expiresAt: '2029-11-24 10:25:40' });
    expect(subscription.orders.map((order: any) => [order.refNo, order.kind])).toEqual([
      [run.refNo(1), 'new'],
      [run.refNo(2), 'renewal'],
      [run.refNo(3), 'renewal'],
    ]);
    expect((await run.order(3)).fulfillments.map((f: any) => f.id)).toEqual([first.fulfillments[0].id]);
    expect(await run.messages()).toEqual(['order_confirmation', 'welcome', 'access_granted', 'renewal_receipt', 'renewal_receipt']);
    const listed = await admin(t, `/api/subscriptions?email=${encodeURIComponent(run.ids.email.toUpperCase())}`);
    expect(listed.body.map((one: any) => one.licenseRef)).toEqual([run.license]);
  });

  it('ends in the same place when the renewal arrives before the order it renews', async () => {
    const run = new ScenarioRun(t, 'renewal');
    await run.send(2);
    await run.send(1);
    const [renewal, first] = [await run.order(2), await run.order(1)];
    expect(renewal.fulfillments.map((f: any) => f.id)).toEqual(first.fulfillments.map((f: any) => f.id));
    expect(first.fulfillments[0]).toMatchObject({ status: 'granted', licenseExpiresAt: '2028-11-24 10:25:40' });
    expect(await run.subscription()).toMatchObject({ status: 'active', expiresAt: '2028-11-24 10:25:40', productId: '40898100' });
  });

  it('moves the subscription and its entitlement to the product of an upgrade', async () => {
    const run = new ScenarioRun(t, 'upgrade');
    await run.send(1, 2);
    expect(await run.subscription()).toMatchObject({ productId: '40898102', productName: 'Acme Cloud — Business plan (yearly)' });
    const [first, upgrade] = [await run.order(1), await run.order(2)];
    expect(upgrade.fulfillments).toEqual([
      expect.objectContaining({ id: first.fulfillments[0].id, status: 'granted', productId: '40898102' }),
    ]);
    expect((await run.subscription()).orders.map((order: any) => order.kind)).toEqual(['new', 'upgrade']);
  });

  it('answers 404 for an unknown license and 400 without ?email=', async () => {
    expect(await admin(t, '/api/subscriptions/NO-SUCH-LICENCE')).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(await admin(t, '/api/subscriptions')).toMatchObject({ status: 400 });
    expect(await admin(t, '/api/subscriptions?email=nobody@example.com')).toMatchObject({ status: 200, body: [] });
  });
});

describe('license lifecycle (LCN)', () => {
  it('keeps access while past due, tells the customer, and is active again once renewed', async () => {
    const run = new ScenarioRun(t, 'past-due');
    await run.send(1, 2);
    expect(await run.subscription()).toMatchObject({ status: 'past_due', gracePeriodDays: 7 });
    expect(statuses(await run.order(1))).toEqual(['granted']);
    expect(await run.messages()).toContain('payment_past_due');

    await run.send(3);
    expect(await run.subscription()).toMatchObject({ status: 'active', expiresAt: '2028-11-24 10:25:40' });
    expect(statuses(await run.order(2))).toEqual(['granted']);
    expect((await run.messages()).slice(-2)).toEqual(['payment_past_due', 'renewal_receipt']);
  });

  it('expires the subscription only once the grace period is over, and ends access', async () => {
    const run = new ScenarioRun(t, 'expired');
    await run.send(1, 2, 3);
    // An expiry dated within the 7-day grace period: still past due, access kept.
    expect(await run.subscription()).toMatchObject({ status: 'past_due' });
    expect(statuses(await run.order(1))).toEqual(['granted']);

    await run.send(4);
    expect(await run.subscription()).toMatchObject({ status: 'expired', licenseStatus: 'EXPIRED' });
    expect((await run.order(1)).fulfillments).toEqual([expect.objectContaining({ lineNo: 1, licenseRef: run.license, status: 'expired' })]);
    expect((await run.messages()).slice(-1)).toEqual(['subscription_ended']);
  });

  it('expires a past-due subscription when its grace period runs out with no further LCN, once', async () => {
    const run = new ScenarioRun(t, 'expired');
    await run.send(1, 2, 3);
    expect(await run.subscription()).toMatchObject({ status: 'past_due', expiresAt: '2027-11-24 10:25:40', gracePeriodDays: 7 });
    const clock = t.app.get(GraceExpiryService);

    // The grace period ends 2027-12-01 10:25:40: a day before, nothing is due.
    await clock.runOnce(new Date('2027-11-30T10:25:40Z'));
    await run.settled();
    expect(await run.subscription()).toMatchObject({ status: 'past_due' });

    expect(await clock.runOnce(new Date('2027-12-01T10:25:41Z'))).toBeGreaterThanOrEqual(1);
    await run.settled();
    expect(await run.subscription()).toMatchObject({ status: 'expired' });
    expect((await run.order(1)).fulfillments).toEqual([expect.objectContaining({ lineNo: 1, status: 'expired' })]);
    expect((await run.messages()).slice(-1)).toEqual(['subscription_ended']);
    // A second look queues nothing for the same expiry.
    expect(await clock.runOnce(new Date('2027-12-02T00:00:00Z'))).toBe(0);
    const [{ n }] = await t.app
      .get(DataSource)
      .query(
        `SELECT count(*)::int AS n FROM outbox_event WHERE name = 'subscription.grace_elapsed' AND payload->'data'->>'licenseRef' = $1`,
        [run.license],
      );
    expect(n).toBe(1);
  });

  it('sets cancelAtPeriodEnd on a scheduled cancellation and clears it on a revert, access kept throughout', async () => {
    const run = new ScenarioRun(t, 'cancel-revert');
    await run.send(1, 2);
    expect(await run.subscription()).toMatchObject({ status: 'active', cancelAtPeriodEnd: true });
    expect(statuses(await run.order(1))).toEqual(['granted']);
    await run.send(3);
    expect(await run.subscription()).toMatchObject({ status: 'active', cancelAtPeriodEnd: false });
    expect((await run.messages()).slice(-2)).toEqual(['cancellation_scheduled', 'subscription_reactivated']);
  });

  it('ends a subscription canceled at period end as canceled, with its access', async () => {
    const run = new ScenarioRun(t, 'cancel-at-period-end');
    await run.send(1, 2, 3);
    expect(await run.subscription()).toMatchObject({ status: 'canceled', cancelAtPeriodEnd: true });
    expect(statuses(await run.order(1))).toEqual(['expired']);
  });

  it('suspends access while the subscription is disabled, and gives it back when it is enabled', async () => {
    const run = new ScenarioRun(t, 'suspended');
    await run.send(1, 2);
    expect(await run.subscription()).toMatchObject({ status: 'disabled', disabled: true });
    expect((await run.order(1)).fulfillments[0]).toMatchObject({ status: 'held', licenseDisabled: true, licenseStatus: 'DISABLED' });
    await run.send(3);
    expect(await run.subscription()).toMatchObject({ status: 'active', disabled: false });
    expect(statuses(await run.order(1))).toEqual(['granted']);
    // Steps 1 and 2 may be processed in one delivery batch, so the suspension's place among the purchase's
    // messages is not fixed; re-enabling came later.
    const messages = await run.messages();
    expect(messages.filter((kind) => kind === 'subscription_suspended')).toHaveLength(1);
    expect(messages.slice(-2)).toEqual(['subscription_reactivated', 'access_granted']);
  });

  it('holds access while the subscription is pending activation', async () => {
    const run = new ScenarioRun(t, 'pending-activation');
    await run.send(1, 2);
    expect(await run.subscription()).toMatchObject({ status: 'pending_activation' });
    expect(statuses(await run.order(1))).toEqual(['held']);
    await run.send(3);
    expect(statuses(await run.order(1))).toEqual(['granted']);
  });

  it('follows grace period and renewal price changes', async () => {
    const run = new ScenarioRun(t, 'grace-and-price');
    await run.send(1, 2, 3);
    expect(await run.subscription()).toMatchObject({
      status: 'active',
      gracePeriodDays: 14,
      nextRenewalPrice: '39.00',
      nextRenewalDate: '2027-11-24',
    });
  });

  it('applies an LCN that arrives before the order it belongs to', async () => {
    const run = new ScenarioRun(t, 'suspended');
    await run.send(2, 1);
    expect(await run.subscription()).toMatchObject({ status: 'disabled', orders: [{ refNo: run.refNo(1), kind: 'new' }] });
    expect(statuses(await run.order(1))).toEqual(['held']);
  });
});
