import { DataSource } from 'typeorm';
import { sampleIpn, signForm } from '../../src/cli/sample-notification';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { NotificationActivityQuery, ReplayNotificationsInRangeUseCase } from '../../src/modules/ipn';
import { RecordRejectionService } from '../../src/modules/ipn/application/record-rejection.service';
import { TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { drained, newOrder, sendStatus } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';

/** The operators' view of the inbox (the console's source): filters, counts, and replay of a time range. */
let database: DatabaseEndpoint;
let t: TestApp;
let activity: NotificationActivityQuery;

const order = newOrder();
const other = newOrder();

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database, { OUTBOX_POLL_MS: '20' });
  activity = t.app.get(NotificationActivityQuery);
  await sendStatus(t, order, 'PENDING');
  await sendStatus(t, order, 'COMPLETE');
  await sendStatus(t, other, 'COMPLETE');
  const forged = signForm(sampleIpn({ ...order, status: 'REFUND' }), ['sha256'], 'not-the-key');
  expect((await postForm(`${t.baseUrl}/ipn`, forged)).status).toBe(401);
  expect((await postForm(`${t.baseUrl}/ipn`, forged)).status).toBe(401);
  await t.app.get(RecordRejectionService).flush(); // refusals are written in the background
  await drained(t);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

it('lists stored notifications and refusals together, newest first, filtered by REFNO, status, listener and outcome', async () => {
  const all = await activity.recent({ refNo: order.refNo });
  expect(all.map((row) => [row.outcome, row.orderStatus, row.reason])).toEqual([
    ['refused', null, 'signature_invalid'],
    ['refused', null, 'signature_invalid'],
    ['accepted', 'COMPLETE', null],
    ['accepted', 'PENDING', null],
  ]);
  expect((await activity.recent({ refNo: order.refNo, status: 'COMPLETE' })).map((row) => row.orderStatus)).toEqual(['COMPLETE']);
  expect(await activity.recent({ refNo: order.refNo, outcome: 'refused' })).toHaveLength(2);
  expect(await activity.recent({ refNo: order.refNo, outcome: 'refused', status: 'COMPLETE' })).toEqual([]);
  expect(await activity.recent({ refNo: order.refNo, outcome: 'unprocessable' })).toEqual([]);
  expect(await activity.recent({ listener: 'nobody' })).toEqual([]);
  expect((await activity.recent({ listener: 'default' })).length).toBe(5);
});

it('counts duplicates as deliveries of one stored notification', async () => {
  const [stored] = await activity.recent({ refNo: other.refNo });
  await t.app.get(DataSource).query(`UPDATE ipn_notification SET delivery_count = 3 WHERE id = $1`, [stored.id]);
  expect((await activity.recent({ outcome: 'duplicate' })).map((row) => [row.refNo, row.deliveries])).toEqual([[other.refNo, 3]]);
});

it('counts requests per minute by outcome, and refusals by reason', async () => {
  const since = new Date(Date.now() - 3_600_000);
  const totals = new Map<string, number>();
  for (const { outcome, count } of await activity.perMinute(since)) totals.set(outcome, (totals.get(outcome) ?? 0) + count);
  expect(Object.fromEntries(totals)).toEqual({ accepted: 3, refused: 2 });
  expect(await activity.refusalsByReason(since)).toEqual([{ reason: 'signature_invalid', count: 2 }]);
  expect(await activity.refusalsByReason(new Date(Date.now() + 60_000))).toEqual([]);
});

it('replays the accepted notifications received in a time range, and those only', async () => {
  const dataSource = t.app.get(DataSource);
  const [first, second] = await dataSource.query(`SELECT received_at FROM ipn_notification ORDER BY received_at LIMIT 2`);
  const replays = t.app.get(ReplayNotificationsInRangeUseCase);
  // [from, to): the second notification's own time excludes it.
  expect(await replays.execute(first.received_at, second.received_at)).toBe(1);
  expect(await replays.execute(new Date(Date.now() - 3_600_000), new Date(Date.now() + 1000))).toBe(3);
  await drained(t);
  const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM outbox_event WHERE (payload->'data'->>'replay')::boolean`);
  expect(n).toBe(4);
});
