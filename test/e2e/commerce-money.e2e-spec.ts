import { DataSource } from 'typeorm';
import { sampleLcn, signForm } from '../../src/cli/sample-notification';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { FormBody } from '../../src/modules/ipn';
import { TEST_SECRET_KEY, TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { expectedReceipt, receiptDateOf } from '../setup/independent-receipt';
import { admin, countEvents, drained, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';
import { ScenarioRun } from './commerce-scenario';

/** The key 2Checkout signed with before the rotation under way (IPN_SECRET_KEY_PREVIOUS). */
const PREVIOUS_KEY = 'previous-secret-key-0123456789';

let database: DatabaseEndpoint;
let t: TestApp;
let db: DataSource;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database, {
    OUTBOX_POLL_MS: '50',
    IPN_SECRET_KEY_PREVIOUS: PREVIOUS_KEY,
    // A second URL of the same 2Checkout account: it shares the default listener's key, so its account.
    IPN_LISTENERS: JSON.stringify([{ name: 'eu', secretKey: TEST_SECRET_KEY, algorithms: ['sha256'] }]),
  });
  db = t.app.get(DataSource);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

const access = (order: any) => order.fulfillments.map((f: any) => [f.lineNo, f.status]);

/** The form with some fields' values replaced, in place. */
function withFields(form: FormBody, fields: Record<string, string | string[]>): FormBody {
  return FormBody.fromPairs(Object.entries(form.toRecord()).map(([name, value]) => [name, fields[name] ?? value]));
}

/** Posts a signed body; expects the receipt of `key`, computed apart from the product's code. */
async function delivered(path: string, body: string, key: string): Promise<void> {
  const response = await postForm(`${t.baseUrl}${path}`, body);
  const text = await response.text();
  expect(response.status).toBe(200);
  const form = FormBody.parse(Buffer.from(body, 'latin1'));
  const values = [form.list('IPN_PID')[0], form.list('IPN_PNAME')[0], form.first('IPN_DATE')!];
  expect(text).toBe(expectedReceipt('sha256', key, values, receiptDateOf(text)!));
}

/** The stored notifications of the order with this ORDERSTATUS, as the admin API shows them. */
async function stored(refNo: string, status: string): Promise<any[]> {
  return (await admin(t, `/api/ipn/messages?refNo=${refNo}&status=${status}`)).body;
}

describe('one notification, one refund', () => {
  it('counts a partial refund posted to two listeners of one account once: the order is partially refunded, access kept', async () => {
    const run = new ScenarioRun(t, 'partial-refund');
    await run.send(1);
    // A refund of 60.00 of the 69.00 order, amount only; twice 60.00 would be more than the order.
    const refund = signForm(withFields(run.scenario.steps[2].form, { IPN_TOTALGENERAL: '60.00' }), ['sha256'], TEST_SECRET_KEY);
    await Promise.all([delivered('/ipn', refund, TEST_SECRET_KEY), delivered('/ipn/eu', refund, TEST_SECRET_KEY)]);
    await delivered('/ipn/eu', refund, TEST_SECRET_KEY);
    await run.settled();

    const order = await run.order(1);
    expect(order.status).toBe('COMPLETE');
    expect(order.refunds).toEqual([{ amount: '60.00', currency: 'USD', lines: [], at: expect.any(String) }]);
    expect(access(order)).toEqual([
      [1, 'granted'],
      [2, 'granted'],
    ]);
    expect(await countEvents(t, 'order.partially_refunded', run.refNo(1))).toBe(1);
    expect(await countEvents(t, 'order.refunded', run.refNo(1))).toBe(0);
    const [message, ...more] = await stored(run.refNo(1), 'REFUND');
    expect(more).toEqual([]);
    expect(message.deliveryCount).toBe(3);
  });

  it('takes a captured body replayed with a field renamed (names are not signed) for the notification it is', async () => {
    const run = new ScenarioRun(t, 'partial-refund');
    await run.send(1);
    const refund = signForm(run.scenario.steps[1].form, ['sha256'], TEST_SECRET_KEY);
    await delivered('/ipn', refund, TEST_SECRET_KEY);
    const renamed = refund.replaceAll('IPN_VAT%5B%5D=', 'IPN_VAT_X%5B%5D=');
    expect(renamed).not.toBe(refund);
    await delivered('/ipn', renamed, TEST_SECRET_KEY);
    await run.settled();

    const order = await run.order(1);
    expect(order.refunds.map((r: any) => [r.amount, r.lines])).toEqual([['20.00', [2]]]);
    expect(await countEvents(t, 'order.partially_refunded', run.refNo(1))).toBe(1);
    const [message, ...more] = await stored(run.refNo(1), 'REFUND');
    expect(more).toEqual([]);
    // The replay is counted as a delivery; the record is the body first stored.
    expect(message.deliveryCount).toBe(2);
    expect(Object.keys(message.fields)).toContain('IPN_VAT');
    expect(Object.keys(message.fields)).not.toContain('IPN_VAT_X');
  });

  it('counts a refund retried after a key rotation once, each delivery receipted with the key it was signed with', async () => {
    const run = new ScenarioRun(t, 'partial-refund');
    await run.send(1);
    const form = run.scenario.steps[1].form;
    await delivered('/ipn', signForm(form, ['sha256'], PREVIOUS_KEY), PREVIOUS_KEY);
    await delivered('/ipn', signForm(form, ['sha256'], TEST_SECRET_KEY), TEST_SECRET_KEY);
    await delivered('/ipn/eu', signForm(form, ['sha256'], TEST_SECRET_KEY), TEST_SECRET_KEY);
    await run.settled();

    const order = await run.order(1);
    expect(order.refunds.map((r: any) => [r.amount, r.lines])).toEqual([['20.00', [2]]]);
    expect(access(order)).toEqual([
      [1, 'granted'],
      [2, 'revoked'],
    ]);
    expect((await stored(run.refNo(1), 'REFUND')).map((message) => message.deliveryCount)).toEqual([3]);
  });
});

describe('refunds measured against the purchase', () => {
  // Line 2 (2 x 10.00) refunded; line 1 sent at 0.00, or at its price: not refunded either way.
  const lineRefund = (run: ScenarioRun, line1: string) =>
    withFields(run.scenario.steps[1].form, { IPN_PRICE: [line1, '-10.00'], IPN_TOTAL: [line1, '-20.00'], IPN_TOTALGENERAL: '-20.00' });

  it.each(['0.00', '49.00'])('refunds only the negative line when the other is sent at %s', async (line1) => {
    const run = new ScenarioRun(t, 'partial-refund');
    await run.send(1);
    await delivered('/ipn', signForm(lineRefund(run, line1), ['sha256'], TEST_SECRET_KEY), TEST_SECRET_KEY);
    await run.settled();
    const order = await run.order(1);
    expect(order.status).toBe('COMPLETE');
    expect(order.refunds.map((r: any) => [r.amount, r.lines])).toEqual([['20.00', [2]]]);
    expect(access(order)).toEqual([
      [1, 'granted'],
      [2, 'revoked'],
    ]);
    expect(order.items.map((item: any) => item.price)).toEqual(['49.00', '10.00']);
    expect(await countEvents(t, 'order.refunded', run.refNo(1))).toBe(0);
  });

  it('ends the same when that refund (its other line at 0.00) arrives before the purchase', async () => {
    const run = new ScenarioRun(t, 'partial-refund');
    await delivered('/ipn', signForm(lineRefund(run, '0.00'), ['sha256'], TEST_SECRET_KEY), TEST_SECRET_KEY);
    await run.settled();
    expect((await run.order(1)).status).not.toBe('REFUND');
    await run.send(1);
    const order = await run.order(1);
    expect(order.status).toBe('COMPLETE');
    expect(order.refunds.map((r: any) => [r.amount, r.lines])).toEqual([['20.00', [2]]]);
    expect(access(order)).toEqual([
      [1, 'granted'],
      [2, 'revoked'],
    ]);
    expect(order.items.map((item: any) => item.price)).toEqual(['49.00', '10.00']);
    expect(await countEvents(t, 'order.refunded', run.refNo(1))).toBe(0);
  });
});

describe('values the order stage cannot store', () => {
  it('dead-letters an order with a 10 KB e-mail on its first attempt, saying why', async () => {
    const email = `${'a'.repeat(10 * 1024 - '@example.com'.length)}@example.com`;
    const order = newOrder({ email });
    await sendStatus(t, order, 'COMPLETE');
    await drained(t);
    const [event] = await db.query(
      `SELECT e.status, e.attempts, e.last_error FROM outbox_event e JOIN ipn_notification n ON n.id = e.correlation_id
       WHERE n.ref_no = $1 AND e.name = 'ipn.received'`,
      [order.refNo],
    );
    expect(event).toMatchObject({ status: 'dead', attempts: 1 });
    expect(event.last_error).toContain('CUSTOMEREMAIL is 10240 bytes long (at most 254, RFC 5321)');
    const { body: deadLetters } = await admin(t, '/api/events/dead-letters');
    expect(deadLetters.find((letter: any) => letter.orderRef === order.refNo)?.lastError).toContain('CUSTOMEREMAIL is 10240 bytes long');
    expect(await db.query(`SELECT 1 FROM account WHERE email = $1`, [email])).toEqual([]);
  });
});

describe('receipt fields sent empty', () => {
  it('receipts and stores as accepted an LCN whose EXPIRATION_DATE is empty (a lifetime license)', async () => {
    const license = `LIC-LIFETIME-${process.pid}`;
    const response = await postForm(`${t.baseUrl}/lcn`, signForm(sampleLcn(license, ''), ['sha256'], TEST_SECRET_KEY));
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toBe(expectedReceipt('sha256', TEST_SECRET_KEY, [license, ''], receiptDateOf(text)!));
    const rows = await db.query(`SELECT status, problem FROM ipn_notification WHERE license_code = $1`, [license]);
    expect(rows).toEqual([{ status: 'accepted', problem: null }]);
  });
});
