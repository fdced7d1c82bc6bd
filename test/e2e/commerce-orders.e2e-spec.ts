import fc from 'fast-check';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { admin, countEvents } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';
import { ScenarioRun } from './commerce-scenario';

const CHAOS = process.env.CHAOS === '1';

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

const access = (order: any) => order.fulfillments.map((f: any) => [f.lineNo, f.licenseRef, f.status]);

describe('partial refunds', () => {
  it('revokes only the refunded lines, accumulates refunds, and is REFUND once everything is refunded', async () => {
    const run = new ScenarioRun(t, 'partial-refund');
    const [subscription, support] = run.ids.licenses;
    await run.send(1, 2);
    let order = await run.order(1);
    expect(order.status).toBe('COMPLETE');
    expect(access(order)).toEqual([
      [1, subscription, 'granted'],
      [2, support, 'revoked'],
    ]);
    expect(order.refunds).toEqual([{ amount: '20.00', currency: 'USD', lines: [2], at: expect.any(String) }]);
    expect(order.items.map((item: any) => item.price)).toEqual(['49.00', '10.00']);
    expect(await countEvents(t, 'order.partially_refunded', run.refNo(1))).toBe(1);

    await run.send(3);
    order = await run.order(1);
    expect(order.status).toBe('COMPLETE');
    expect(order.refunds.map((refund: any) => [refund.amount, refund.lines])).toEqual([
      ['20.00', [2]],
      ['9.00', []],
    ]);
    expect(access(order)).toEqual([
      [1, subscription, 'granted'],
      [2, support, 'revoked'],
    ]);

    await run.send(4);
    order = await run.order(1);
    expect(order.status).toBe('REFUND');
    expect(order.refunds.map((refund: any) => [refund.amount, refund.lines])).toEqual([
      ['20.00', [2]],
      ['9.00', []],
      ['40.00', [1]],
    ]);
    expect(access(order)).toEqual([
      [1, subscription, 'revoked'],
      [2, support, 'revoked'],
    ]);
    expect(await countEvents(t, 'order.partially_refunded', run.refNo(1))).toBe(2);
    expect(await countEvents(t, 'order.refunded', run.refNo(1))).toBe(1);
    expect(order.engagements.map((message: any) => message.kind).filter((kind: string) => kind.includes('refund'))).toEqual([
      'partial_refund_notice',
      'partial_refund_notice',
      'refund_notice',
    ]);
  });

  it('ends the same when the refunds arrive before the purchase, in any order', async () => {
    const run = new ScenarioRun(t, 'partial-refund');
    await run.send(4, 2, 1, 3);
    const order = await run.order(1);
    expect(order.status).toBe('REFUND');
    expect(order.refunds.map((refund: any) => refund.amount)).toEqual(['20.00', '9.00', '40.00']);
    expect(order.fulfillments.map((f: any) => f.status)).toEqual(['revoked', 'revoked']);
    expect(order.items.map((item: any) => item.price)).toEqual(['49.00', '10.00']);
  });
});

describe('chargebacks', () => {
  it('holds access while a dispute is open, records the reason, and restores access when it is won', async () => {
    const run = new ScenarioRun(t, 'chargeback');
    await run.send(1, 2);
    let order = await run.order(1);
    expect(order.chargeback).toMatchObject({
      reasonCode: 'MERCHANDISE_NOT_RECEIVED',
      resolution: 'OPEN',
      openedAt: expect.any(String),
      closedAt: null,
    });
    expect(order.status).toBe('COMPLETE');
    expect(access(order)).toEqual([[1, run.license, 'held']]);
    expect(await countEvents(t, 'order.chargeback_opened', run.refNo(1))).toBe(1);

    await run.send(3);
    order = await run.order(1);
    expect(order.chargeback).toMatchObject({ resolution: 'WON', closedAt: expect.any(String), openedAt: order.chargeback.openedAt });
    expect(access(order)).toEqual([[1, run.license, 'granted']]);
    expect(await countEvents(t, 'order.chargeback_resolved', run.refNo(1))).toBe(1);
  });

  it('revokes access when the dispute is lost', async () => {
    const run = new ScenarioRun(t, 'chargeback-lost');
    await run.send(1, 2, 3);
    const order = await run.order(1);
    expect(order.chargeback).toMatchObject({ reasonCode: 'MERCHANDISE_NOT_RECEIVED', resolution: 'LOST', closedAt: expect.any(String) });
    expect(access(order)).toEqual([[1, run.license, 'revoked']]);
  });

  it('lets the newest chargeback notification decide, whatever the arrival order', async () => {
    const run = new ScenarioRun(t, 'chargeback-lost');
    await run.send(3, 1, 2);
    const order = await run.order(1);
    expect(order.chargeback).toMatchObject({ resolution: 'LOST' });
    expect(access(order)).toEqual([[1, run.license, 'revoked']]);
    expect(await countEvents(t, 'order.chargeback_opened', run.refNo(1))).toBe(1);
  });
});

describe('fraud over time', () => {
  it('confirms an order under review and holds its access; takes access and the account link away when a newer notification says DENIED', async () => {
    const run = new ScenarioRun(t, 'fraud-denied');
    await run.send(1);
    let order = await run.order(1);
    expect(access(order)).toEqual([[1, run.license, 'held']]);
    expect(order.account).toMatchObject({ email: run.ids.email });
    expect(await run.messages()).toEqual(['order_confirmation', 'welcome']);
    await run.send(2);
    expect(access(await run.order(1))).toEqual([[1, run.license, 'granted']]);
    // Cleared after a review: access is granted, the order is not confirmed a second time.
    expect(await run.messages()).toEqual(['order_confirmation', 'welcome', 'access_granted']);
    await run.send(3);
    order = await run.order(1);
    expect(order.fraudStatus).toBe('DENIED');
    expect(access(order)).toEqual([[1, run.license, 'revoked']]);
    expect(order.account).toBeNull();
    expect((await customer(run)).account).toMatchObject({ email: run.ids.email, orders: [] });
    expect(await run.messages()).toEqual(['order_confirmation', 'welcome', 'access_granted']);
  });

  it('ignores an APPROVED dated before the DENIED, even when it arrives last', async () => {
    const run = new ScenarioRun(t, 'fraud-denied');
    await run.send(3, 1, 2);
    const order = await run.order(1);
    expect(order.fraudStatus).toBe('DENIED');
    expect(access(order)).toEqual([[1, run.license, 'revoked']]);
    expect(order.account).toBeNull();
  });
});

describe('an order DENIED for fraud', () => {
  const count = (kinds: string[], kind: string) => kinds.filter((found) => found === kind).length;

  it('gets no account and no confirmation until a newer notification says APPROVED, then each once', async () => {
    const run = new ScenarioRun(t, 'fraud-denied-then-approved');
    await run.send(1);
    let order = await run.order(1);
    expect(order).toMatchObject({ status: 'COMPLETE', fraudStatus: 'DENIED', account: null });
    expect(access(order)).toEqual([[1, run.license, 'revoked']]);
    expect(await customer(run)).toMatchObject({ account: null, timeline: [] });

    await run.send(2);
    order = await run.order(1);
    expect(order.fraudStatus).toBe('APPROVED');
    expect(access(order)).toEqual([[1, run.license, 'granted']]);
    const { account } = await customer(run);
    expect(account).toMatchObject({ email: run.ids.email, orders: [run.refNo(1)] });
    expect(order.account).toEqual({ id: account.id, email: run.ids.email });
    expect((await run.messages()).sort()).toEqual(['access_granted', 'order_confirmation', 'welcome']);
    expect(await countEvents(t, 'account.created', run.refNo(1))).toBe(1);

    // DENIED again: off the account (which stays) and no access; APPROVED again: back, nothing confirmed twice.
    await run.send(3);
    order = await run.order(1);
    expect(order.account).toBeNull();
    expect(access(order)).toEqual([[1, run.license, 'revoked']]);
    expect((await customer(run)).account).toMatchObject({ id: account.id, orders: [] });
    await run.send(4);
    order = await run.order(1);
    expect(order.account).toEqual({ id: account.id, email: run.ids.email });
    expect(access(order)).toEqual([[1, run.license, 'granted']]);
    const kinds = await run.messages();
    expect([count(kinds, 'order_confirmation'), count(kinds, 'welcome')]).toEqual([1, 1]);
    expect(await countEvents(t, 'account.created', run.refNo(1))).toBe(1);
  });

  it('ends with the same account and messages when the APPROVED arrives before the older DENIED', async () => {
    const [forward, reverse] = [new ScenarioRun(t, 'fraud-denied-then-approved'), new ScenarioRun(t, 'fraud-denied-then-approved')];
    await forward.send(1, 2);
    await reverse.send(2);
    expect((await reverse.messages()).sort()).toEqual(['access_granted', 'order_confirmation', 'welcome']);
    await reverse.send(1);
    for (const run of [forward, reverse]) {
      const order = await run.order(1);
      expect(order).toMatchObject({ fraudStatus: 'APPROVED', account: { email: run.ids.email } });
      expect(access(order)).toEqual([[1, run.license, 'granted']]);
      expect((await run.messages()).sort()).toEqual(['access_granted', 'order_confirmation', 'welcome']);
    }
  });

  it('is confirmed once and welcomed once, whatever the arrival order of DENIED and APPROVED notifications', async () => {
    const plans = fc.record({
      order: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
      together: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      duplicate: fc.nat(4),
    });
    await fc.assert(
      fc.asyncProperty(plans, async (plan) => {
        const run = new ScenarioRun(t, 'fraud-denied-then-approved');
        const permuted = [1, 2, 3, 4].map((step, i) => ({ step, rank: plan.order[i] })).sort((a, b) => a.rank - b.rank);
        const waves: number[][] = [];
        permuted.forEach(({ step }, i) => (plan.together[i] && waves.length > 0 ? waves.at(-1)!.push(step) : waves.push([step])));
        if (plan.duplicate < 4) waves.push([plan.duplicate + 1]);
        for (const wave of waves) await Promise.all(wave.map((step) => run.sendOnly(step)));
        await run.settled();
        const order = await run.order(1);
        expect(order).toMatchObject({ fraudStatus: 'APPROVED', account: { email: run.ids.email } });
        expect(access(order)).toEqual([[1, run.license, 'granted']]);
        const kinds = await run.messages();
        expect([...new Set(kinds)].sort()).toEqual(['access_granted', 'order_confirmation', 'welcome']);
        expect([count(kinds, 'order_confirmation'), count(kinds, 'welcome')]).toEqual([1, 1]);
      }),
      { numRuns: CHAOS ? 100 : 12, endOnFailure: true },
    );
  });
});

async function customer(run: ScenarioRun): Promise<any> {
  const { status, body } = await admin(t, `/api/customers?email=${encodeURIComponent(run.ids.email)}`);
  if (status !== 200) throw new Error(`customer ${run.ids.email}: ${status} ${JSON.stringify(body)}`);
  return body;
}
