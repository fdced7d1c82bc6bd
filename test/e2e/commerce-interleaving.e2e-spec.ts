import fc from 'fast-check';
import { scenarioNames } from '../../src/cli/scenarios';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { admin } from '../setup/lifecycle';
import { provisionTestDatabase } from '../setup/test-database';
import { ScenarioRun } from './commerce-scenario';

const CHAOS = process.env.CHAOS === '1';

let database: DatabaseEndpoint;
let t: TestApp;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database, { OUTBOX_POLL_MS: '20' });
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

/** What a user compares: each order's status, refunds, dispute and access; the subscription. */
async function outcome(run: ScenarioRun) {
  const refNos = [...new Set(run.scenario.steps.flatMap((step) => step.form.list('REFNO')))];
  const orders = await Promise.all(
    refNos.map(async (refNo) => {
      const { body } = await admin(t, `/api/orders/${refNo}`);
      return {
        order: refNos.indexOf(refNo) + 1,
        status: body.status,
        fraudStatus: body.fraudStatus,
        refunds: body.refunds.map((refund: any) => [refund.amount, refund.lines]),
        chargeback: body.chargeback && [body.chargeback.resolution, body.chargeback.reasonCode, body.chargeback.closedAt !== null],
        access: body.fulfillments.map((f: any) => [f.lineNo, f.status, f.productId, f.licenseExpiresAt, f.licenseStatus]),
        sameEntitlement: body.fulfillments.map((f: any) => f.id),
      };
    }),
  );
  const { body: subscription } = await admin(t, `/api/subscriptions/${run.license}`);
  // Entitlement ids differ between the two runs; what must agree is which orders share one.
  const ids = orders.flatMap((order) => order.sameEntitlement);
  for (const order of orders) order.sameEntitlement = order.sameEntitlement.map((id: string) => ids.indexOf(id));
  return {
    orders,
    subscription: {
      status: subscription.status,
      productId: subscription.productId,
      expiresAt: subscription.expiresAt,
      cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
      gracePeriodDays: subscription.gracePeriodDays,
      nextRenewalPrice: subscription.nextRenewalPrice,
      licenseStatus: subscription.licenseStatus,
      orders: subscription.orders.map((order: any) => [refNos.indexOf(order.refNo) + 1, order.kind]).sort(),
    },
  };
}

it('ends every lifecycle where delivery in date order ends, whatever the arrival order (refunds, disputes, reversals, renewals, LCNs)', async () => {
  const plans = fc.record({
    scenario: fc.constantFrom(...scenarioNames()),
    order: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
    together: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    duplicate: fc.nat(6),
  });
  await fc.assert(
    fc.asyncProperty(plans, async (plan) => {
      const [serial, shuffled] = [new ScenarioRun(t, plan.scenario), new ScenarioRun(t, plan.scenario)];
      const steps = serial.scenario.steps.map((_, i) => i + 1);
      // The reference: one at a time, in date order (the scenario's order), each processed first.
      for (const step of steps) await serial.send(step);
      // The other: a permutation, some sent together (racing), one sent twice.
      const permuted = steps.map((step, i) => ({ step, rank: plan.order[i] })).sort((a, b) => a.rank - b.rank);
      const waves: number[][] = [];
      permuted.forEach(({ step }, i) => (plan.together[i] && waves.length > 0 ? waves.at(-1)!.push(step) : waves.push([step])));
      if (plan.duplicate < steps.length) waves.push([steps[plan.duplicate]]);
      for (const wave of waves) await Promise.all(wave.map((step) => shuffled.sendOnly(step)));
      await shuffled.settled();
      expect(await outcome(shuffled)).toEqual(await outcome(serial));
    }),
    { numRuns: CHAOS ? 200 : 25, endOnFailure: true },
  );
});
