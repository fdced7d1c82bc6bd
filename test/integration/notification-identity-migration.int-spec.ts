import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { signForm } from '../../src/cli/sample-notification';
import { sampleLcn } from '../../src/cli/sample-notification';
import { dataSourceOptions } from '../../src/database/data-source-options';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { MIGRATIONS } from '../../src/database/migrations';
import { FormBody } from '../../src/modules/ipn';
import { TEST_SECRET_KEY, TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { admin, countEvents, drained } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';
import { ScenarioRun } from '../e2e/commerce-scenario';

/** A second URL of the account: shares the default listener's key. */
const ENV = { OUTBOX_POLL_MS: '50', IPN_LISTENERS: JSON.stringify([{ name: 'eu', secretKey: TEST_SECRET_KEY }]) };

/** The inbox key before the migration, written out apart from the product's code: SHA-256 over length-prefixed names and values. */
function oldContentHash(body: Buffer): Buffer {
  const parts = FormBody.parse(body)
    .fields.filter((field) => !['HASH', 'SIGNATURE_SHA2_256', 'SIGNATURE_SHA3_256'].includes(field.name))
    .flatMap((field) => [Buffer.from(field.name, 'utf8'), ...field.values]);
  return createHash('sha256')
    .update(Buffer.concat(parts.flatMap((part) => [Buffer.from(String(part.length)), part])))
    .digest();
}

const withFields = (form: FormBody, fields: Record<string, string | string[]>) =>
  FormBody.fromPairs(Object.entries(form.toRecord()).map(([name, value]) => [name, fields[name] ?? value]));

async function post(t: TestApp, path: string, form: FormBody): Promise<number> {
  const response = await postForm(`${t.baseUrl}${path}`, signForm(form, ['sha256'], TEST_SECRET_KEY));
  await response.text();
  return response.status;
}

/** Where the identity migration stands in the list: the schema before it is the previous release's. */
const IDENTITY = MIGRATIONS.findIndex((migration) => migration.name === 'NotificationIdentity1764000002000');

/** The schema as the previous release left it: every migration from the identity one on undone. */
async function undoLastMigration(url: string): Promise<void> {
  const dataSource = new DataSource({ ...dataSourceOptions(url, 1), logging: false });
  await dataSource.initialize();
  try {
    for (let undo = MIGRATIONS.length - IDENTITY; undo > 0; undo--) await dataSource.undoLastMigration({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}

describe('migration 1764000002000 on an inbox the previous release filled, copies included', () => {
  let database: DatabaseEndpoint;
  // One object for both releases' apps: the scenario runs made with the first keep talking to the second.
  const t = {} as TestApp;
  let db: DataSource;
  let amountRun: ScenarioRun;
  let linesRun: ScenarioRun;
  let soundRun: ScenarioRun;
  const license = `LIC-LIFETIME-${process.pid}`;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    database = await provisionTestDatabase();
    Object.assign(t, await createTestApp(database, ENV));
    // Order A: 69.00, an amount-only refund of 40.00. Order B: 69.00, line 2 refunded, line 1 sent at 0.00.
    amountRun = new ScenarioRun(t, 'partial-refund');
    linesRun = new ScenarioRun(t, 'partial-refund');
    await amountRun.send(1);
    expect(await post(t, '/ipn', withFields(amountRun.scenario.steps[2].form, { IPN_TOTALGENERAL: '40.00' }))).toBe(200);
    await linesRun.send(1);
    const lineRefund = withFields(linesRun.scenario.steps[1].form, {
      IPN_PRICE: ['0.00', '-10.00'],
      IPN_TOTAL: ['0.00', '-20.00'],
      IPN_TOTALGENERAL: '-20.00',
    });
    expect(await post(t, '/ipn', lineRefund)).toBe(200);
    // Order C: line 2 refunded, line 1 at its price; stored once: nothing to correct.
    soundRun = new ScenarioRun(t, 'partial-refund');
    await soundRun.send(1, 2);
    expect(await post(t, '/lcn', sampleLcn(license, ''))).toBe(200);
    await drained(t);
    await t.close();

    // Back to the previous release's schema, and what it wrote: A's refund stored a second time through
    // /ipn/eu, B's replayed with a field renamed; each copy applied to its order, which the old rules then
    // took for fully refunded (80.00 of 69.00; B's total read from the refund's own lines, 20.00), access
    // revoked; the lifetime LCN stored unprocessable.
    await undoLastMigration(database.url);
    db = new DataSource({ ...dataSourceOptions(database.url, 1), logging: false });
    await db.initialize();
    const refundOf = async (refNo: string) =>
      (await db.query(`SELECT * FROM ipn_notification WHERE ref_no = $1 AND order_status = 'REFUND'`, [refNo]))[0];
    const seedCopy = async (refNo: string, listener: string, body: Buffer, refund: (key: string) => object) => {
      const original = await refundOf(refNo);
      const [copy] = await db.query(
        `INSERT INTO ipn_notification (kind, listener, content_hash, algorithm, status, raw_body, ref_no, order_status, ipn_date,
           message_id, test_order, received_at)
         SELECT kind, $2, $3, algorithm, status, $4, ref_no, order_status, ipn_date, message_id, test_order, received_at + interval '1 second'
         FROM ipn_notification WHERE id = $1 RETURNING id, received_at`,
        [original.id, listener, oldContentHash(body), body],
      );
      await db.query(
        `INSERT INTO order_status_history (ref_no, status, notification_id, ipn_date, applied) VALUES ($1, 'REFUND', $2, $3, true)`,
        [refNo, copy.id, original.ipn_date],
      );
      const key = (row: { id: string; received_at: Date }) => `${original.ipn_date}|${row.received_at.toISOString()}|${row.id}`;
      await db.query(
        `UPDATE "order" SET status = 'REFUND', milestones = milestones || '["refunded"]'::jsonb, refunds = $2::jsonb WHERE ref_no = $1`,
        [refNo, JSON.stringify([refund(key(original)), refund(key(copy))])],
      );
      await db.query(`UPDATE entitlement SET status = 'revoked', revoked_at = now() WHERE ref_no = $1`, [refNo]);
      await db.query(`UPDATE entitlement_line SET status = 'revoked' WHERE ref_no = $1`, [refNo]);
      ids[refNo] = original.id;
      ids[`${refNo}-copy`] = copy.id;
    };
    const old = { at: '2026-12-01T09:00:00.000Z', currency: 'USD', orderLines: [1, 2], full: false };
    const a = await refundOf(amountRun.refNo(1));
    await seedCopy(amountRun.refNo(1), 'eu', a.raw_body, (key) => ({ ...old, key, amount: 40_000, lines: [], orderTotal: 69_000 }));
    const b = await refundOf(linesRun.refNo(1));
    const renamed = Buffer.from(b.raw_body.toString('latin1').replaceAll('IPN_VAT%5B%5D=', 'IPN_VAT_X%5B%5D='), 'latin1');
    expect(renamed.equals(b.raw_body)).toBe(false);
    await seedCopy(linesRun.refNo(1), 'default', renamed, (key) => ({ ...old, key, amount: 20_000, lines: [2], orderTotal: 20_000 }));
    const c = await refundOf(soundRun.refNo(1));
    await db.query(`UPDATE "order" SET refunds = $2::jsonb WHERE ref_no = $1`, [
      soundRun.refNo(1),
      JSON.stringify([
        { ...old, key: `${c.ipn_date}|${c.received_at.toISOString()}|${c.id}`, amount: 20_000, lines: [2], orderTotal: 69_000 },
      ]),
    ]);
    const [lcn] = await db.query(`SELECT id FROM ipn_notification WHERE license_code = $1`, [license]);
    ids.lcn = lcn.id;
    await db.query(`UPDATE ipn_notification SET status = 'unprocessable', problem = 'missing EXPIRATION_DATE' WHERE id = $1`, [lcn.id]);
    await db.query(`DELETE FROM outbox_event WHERE correlation_id = $1`, [lcn.id]);
    await db.destroy();

    // The new release starts: the app runs the migration with its listeners' accounts, then the order stage recomputes.
    Object.assign(t, await createTestApp(database, ENV));
    db = t.app.get(DataSource);
    await drained(t);
  });

  afterAll(async () => {
    await t.close?.();
    await database?.close();
  });

  it('marks the rows now sharing a key as copies of the first, one account for the listeners sharing a key', async () => {
    const rows = await db.query(
      `SELECT id, listener, account, copy_of, encode(identity_hash, 'hex') AS identity, delivery_count FROM ipn_notification
       WHERE id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], id)`,
      [[ids[amountRun.refNo(1)], ids[`${amountRun.refNo(1)}-copy`], ids[linesRun.refNo(1)], ids[`${linesRun.refNo(1)}-copy`]]],
    );
    expect(rows.map((row: any) => [row.listener, row.account, row.copy_of])).toEqual([
      ['default', 'default', null],
      ['eu', 'default', ids[amountRun.refNo(1)]],
      ['default', 'default', null],
      ['default', 'default', ids[linesRun.refNo(1)]],
    ]);
    expect(rows[1].identity).toBe(rows[0].identity);
    expect(rows[3].identity).toBe(rows[2].identity);
    // Each delivery is still shown.
    expect((await admin(t, `/api/ipn/messages?refNo=${amountRun.refNo(1)}&status=REFUND`)).body.map((m: any) => m.deliveryCount)).toEqual([
      1, 1,
    ]);
    const [index] = await db.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'UQ_ipn_notification_identity'`);
    expect(index.indexdef).toMatch(/UNIQUE INDEX .* \(kind, account, identity_hash\) WHERE \(copy_of IS NULL\)/);
  });

  it('recomputes the orders the copies refunded twice: one refund each, REFUND no more, access back, order.reinstated', async () => {
    const a = await amountRun.order(1);
    expect(a.status).toBe('COMPLETE');
    expect(a.refunds).toEqual([{ amount: '40.00', currency: 'USD', lines: [], at: expect.any(String) }]);
    expect(a.fulfillments.map((f: any) => f.status)).toEqual(['granted', 'granted']);
    expect(a.history.filter((entry: any) => entry.status === 'REFUND')).toHaveLength(1);

    const b = await linesRun.order(1);
    expect(b.status).toBe('COMPLETE');
    expect(b.refunds.map((r: any) => [r.amount, r.lines])).toEqual([['20.00', [2]]]);
    expect(b.fulfillments.map((f: any) => f.status)).toEqual(['granted', 'revoked']);

    for (const refNo of [amountRun.refNo(1), linesRun.refNo(1)]) {
      expect(await countEvents(t, 'order.recompute_requested', refNo)).toBe(1);
      expect(await countEvents(t, 'order.reinstated', refNo)).toBe(1);
      // The refund was announced once, before the migration: the recompute tells nobody of it again.
      expect(await countEvents(t, 'order.partially_refunded', refNo)).toBe(1);
    }
    expect(await countEvents(t, 'fulfillment.granted', amountRun.refNo(1))).toBe(2);
  });

  it('recomputes an order that needed no correction to what it was, raising nothing', async () => {
    const order = await soundRun.order(1);
    expect(order.status).toBe('COMPLETE');
    expect(order.refunds.map((r: any) => [r.amount, r.lines])).toEqual([['20.00', [2]]]);
    expect(order.fulfillments.map((f: any) => f.status)).toEqual(['granted', 'revoked']);
    expect(await countEvents(t, 'order.recompute_requested', soundRun.refNo(1))).toBe(1);
    expect(await countEvents(t, 'order.reinstated', soundRun.refNo(1))).toBe(0);
    expect(await countEvents(t, 'order.partially_refunded', soundRun.refNo(1))).toBe(1);
    // Its delivery raised nothing at all.
    const [{ raised }] = await db.query(
      `SELECT count(l.*)::int AS raised FROM outbox_event o LEFT JOIN event_log l ON l.chain_id = o.id
       WHERE o.name = 'order.recompute_requested' AND o.payload->>'orderRef' = $1`,
      [soundRun.refNo(1)],
    );
    expect(raised).toBe(0);
  });

  it('stores a new delivery of a copied notification once more on the first row; a copy is never processed again', async () => {
    expect(await post(t, '/ipn/eu', withFields(amountRun.scenario.steps[2].form, { IPN_TOTALGENERAL: '40.00' }))).toBe(200);
    await drained(t);
    const rows = await db.query(`SELECT delivery_count FROM ipn_notification WHERE id = $1`, [ids[amountRun.refNo(1)]]);
    expect(rows).toEqual([{ delivery_count: 2 }]);
    expect((await amountRun.order(1)).refunds).toHaveLength(1);
    const replay = await admin(t, `/api/ipn/messages/${ids[`${amountRun.refNo(1)}-copy`]}/replay`, 'POST');
    expect(replay.status).toBe(404);
  });

  it('accepts a notification held back only because a receipt field was sent empty, and receipts its retries', async () => {
    const [row] = await db.query(`SELECT status, problem FROM ipn_notification WHERE id = $1`, [ids.lcn]);
    expect(row).toEqual({ status: 'accepted', problem: null });
    const events = await db.query(`SELECT name, status FROM outbox_event WHERE correlation_id = $1`, [ids.lcn]);
    expect(events).toEqual([{ name: 'lcn.received', status: 'delivered' }]);
    expect(await post(t, '/lcn', sampleLcn(license, ''))).toBe(200);
  });
});

describe('migration 1764000002000 without the app (TypeORM CLI: no listener accounts)', () => {
  it('takes each listener for its own account', async () => {
    const database = await provisionTestDatabase();
    const before = new DataSource({ ...dataSourceOptions(database.url, 1), migrations: MIGRATIONS.slice(0, IDENTITY), logging: false });
    await before.initialize();
    try {
      await before.runMigrations({ transaction: 'each' });
      const body = Buffer.from(signForm(sampleLcn('LIC-CLI', '2027-01-01'), ['sha256'], TEST_SECRET_KEY), 'latin1');
      for (const listener of ['default', 'eu']) {
        await before.query(
          `INSERT INTO ipn_notification (kind, listener, content_hash, algorithm, status, raw_body, license_code)
           VALUES ('lcn', $1, $2, 'sha256', 'accepted', $3, 'LIC-CLI')`,
          [listener, oldContentHash(body), body],
        );
      }
    } finally {
      await before.destroy();
    }
    const cli = new DataSource({ ...dataSourceOptions(database.url, 1), logging: false });
    await cli.initialize();
    try {
      expect((await cli.runMigrations({ transaction: 'each' })).map((migration) => migration.name)).toEqual(
        MIGRATIONS.slice(IDENTITY).map((migration) => migration.name),
      );
      const rows = await cli.query(`SELECT listener, account, copy_of FROM ipn_notification ORDER BY listener`);
      expect(rows).toEqual([
        { listener: 'default', account: 'default', copy_of: null },
        { listener: 'eu', account: 'eu', copy_of: null },
      ]);
    } finally {
      await cli.destroy();
      await database.close();
    }
  });
});
