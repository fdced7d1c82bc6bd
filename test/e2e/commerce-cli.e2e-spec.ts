import { run } from '../../src/cli/ipn';
import type { CliIo } from '../../src/cli/cli-io';
import { identitiesFrom, scenarioNames } from '../../src/cli/scenarios';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TEST_SECRET_KEY, TestApp, createTestApp } from '../setup/create-test-app';
import { admin, drained } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';

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

/** `npm run ipn:send -- …argv`, in process. */
async function ipnSend(...argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => out.push(line), env: { IPN_SECRET_KEY: TEST_SECRET_KEY } };
  return { code: await run(['send', ...argv], io), out: out.join('\n') };
}

it('lists the lifecycle scenarios of test/fixtures in its usage', async () => {
  const { out } = await ipnSend('--help');
  for (const name of ['renewal', 'partial-refund', 'chargeback', 'past-due', 'expired']) expect(scenarioNames()).toContain(name);
  expect(out).toContain(scenarioNames().join(', '));
});

it('sends a fixture scenario (npm run ipn:send -- --scenario renewal), each step said and receipted', async () => {
  const { code, out } = await ipnSend('--scenario', 'renewal', '--url', `${t.baseUrl}/ipn`, '--ref-no', '424242');
  expect(code).toBe(0);
  const ids = identitiesFrom('424242');
  expect(out).toContain(`license ${ids.licenses[0]}`);
  expect(out.match(/Receipt valid/g)).toHaveLength(3);
  expect(out).toContain('First renewal (order 4242422, IPN_LICENSE_TYPE RENEWAL)');
  await drained(t);
  const { body } = await admin(t, `/api/subscriptions/${ids.licenses[0]}`);
  expect(body).toMatchObject({ status: 'active', expiresAt: '2029-11-24 10:25:40' });
  expect(body.orders.map((order: any) => order.kind)).toEqual(['new', 'renewal', 'renewal']);
});

it('sends the LCNs of a scenario to /lcn', async () => {
  const { code, out } = await ipnSend('--scenario', 'expired', '--url', `${t.baseUrl}/ipn`, '--ref-no', '434343');
  expect(code).toBe(0);
  expect(out).toContain(`POST ${t.baseUrl}/lcn\n  LICENSE_CODE=${identitiesFrom('434343').licenses[0]}`);
  await drained(t);
  expect((await admin(t, `/api/subscriptions/${identitiesFrom('434343').licenses[0]}`)).body.status).toBe('expired');
});
