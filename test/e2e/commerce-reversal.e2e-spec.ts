import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { countEvents } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';
import { ScenarioRun } from './commerce-scenario';

let database: DatabaseEndpoint;
let t: TestApp;

beforeAll(async () => {
  database = await provisionTestDatabase();
  // Provisional access: granted at the authorization, before COMPLETE.
  t = await createTestApp(database, { OUTBOX_POLL_MS: '50', FULFILLMENT_TRIGGER: 'PAYMENT_AUTHORIZED' });
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

const state = (order: any) => [order.status, order.fulfillments.map((f: any) => f.status)];

it('takes provisional access away on REVERSED and lets a retried authorization and completion proceed', async () => {
  const run = new ScenarioRun(t, 'reversal');
  await run.send(1);
  expect(state(await run.order(1))).toEqual(['PAYMENT_AUTHORIZED', ['granted']]);
  await run.send(2);
  expect(state(await run.order(1))).toEqual(['REVERSED', ['revoked']]);
  await run.send(3);
  expect(state(await run.order(1))).toEqual(['PAYMENT_AUTHORIZED', ['granted']]);
  await run.send(4);
  const order = await run.order(1);
  expect(state(order)).toEqual(['COMPLETE', ['granted']]);
  expect(order.history.map((entry: any) => [entry.status, entry.applied])).toEqual([
    ['PAYMENT_AUTHORIZED', true],
    ['REVERSED', true],
    ['PAYMENT_AUTHORIZED', true],
    ['COMPLETE', true],
  ]);
  expect(await countEvents(t, 'order.reinstated', run.refNo(1))).toBe(1);
  expect(await countEvents(t, 'order.completed', run.refNo(1))).toBe(1);
  expect(order.engagements.map((message: any) => message.kind)).toEqual([
    'order_confirmation',
    'welcome',
    'access_granted',
    'cancel_notice',
    'order_confirmation',
    'access_granted',
  ]);
});

it('never reverses an order whose retry is dated after the reversal, even when the reversal arrives last', async () => {
  const run = new ScenarioRun(t, 'reversal');
  await run.send(1, 3, 4, 2);
  const order = await run.order(1);
  expect(state(order)).toEqual(['COMPLETE', ['granted']]);
  // Told nothing about a reversal that no longer stands.
  expect(order.engagements.map((message: any) => message.kind)).not.toContain('cancel_notice');
});
