import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { countEvents } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';
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
  it('takes access away when a newer notification says DENIED', async () => {
    const run = new ScenarioRun(t, 'fraud-denied');
    await run.send(1);
    expect(access(await run.order(1))).toEqual([[1, run.license, 'held']]);
    await run.send(2);
    expect(access(await run.order(1))).toEqual([[1, run.license, 'granted']]);
    await run.send(3);
    const order = await run.order(1);
    expect(order.fraudStatus).toBe('DENIED');
    expect(access(order)).toEqual([[1, run.license, 'revoked']]);
  });

  it('ignores an APPROVED dated before the DENIED, even when it arrives last', async () => {
    const run = new ScenarioRun(t, 'fraud-denied');
    await run.send(3, 1, 2);
    const order = await run.order(1);
    expect(order.fraudStatus).toBe('DENIED');
    expect(access(order)).toEqual([[1, run.license, 'revoked']]);
  });
});
