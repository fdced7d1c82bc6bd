import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { signForm } from '../../src/cli/sample-notification';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { FormBody } from '../../src/modules/ipn';
import { GraceExpiryService } from '../../src/modules/subscriptions/application/grace-expiry.service';
import { LicenseChangeFacts, readLicenseChange } from '../../src/modules/subscriptions/domain/license-change';
import { applyLicenseChange } from '../../src/modules/subscriptions/domain/subscription-state';
import { SubscriptionRepository } from '../../src/modules/subscriptions/persistence/subscription.repository';
import { TEST_SECRET_KEY, TestApp, createTestApp, postForm } from '../setup/create-test-app';
import { admin, drained } from '../setup/lifecycle';
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

type Fields = Record<string, string | undefined>;

/** The run's LCN (test/fixtures/notifications/lcn.json), with `fields` changed; an undefined one is not sent at all. */
function lcnForm(run: ScenarioRun, fields: Fields): FormBody {
  const active = { STATUS: 'ACTIVE', DISPATCH_REASON: 'LICENCE_CHANGE', EXPIRED: '0' };
  const record: Record<string, string | string[] | undefined> = { ...run.scenario.steps[1].form.toRecord(), ...active, ...fields };
  return FormBody.fromPairs(Object.entries(record).filter((pair): pair is [string, string | string[]] => pair[1] !== undefined));
}

async function postLcn(run: ScenarioRun, fields: Fields): Promise<Response> {
  return postForm(`${t.baseUrl}/lcn`, signForm(lcnForm(run, fields), ['sha256'], TEST_SECRET_KEY));
}

/** Sends LCNs one at a time, each processed before the next. */
async function sendLcns(run: ScenarioRun, ...lcns: Fields[]): Promise<void> {
  for (const fields of lcns) {
    const response = await postLcn(run, fields);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^<sig /);
    await run.settled();
  }
}

/** What a user compares between two runs: the subscription, without its identities. */
async function shown(run: ScenarioRun) {
  const { licenseRef: _ref, email, orders: _orders, account: _account, createdAt: _c, updatedAt: _u, ...rest } = await run.subscription();
  return { ...rest, email: email === run.ids.email ? 'the buyer' : email };
}

const access = async (run: ScenarioRun) => (await run.order(1)).fulfillments.map((f: any) => f.status);

describe('LCNs with absent and empty fields, in either arrival order', () => {
  const gracePeriod: Fields = { DATE_UPDATED: '2027-05-01 09:00:00', DISPATCH_REASON: 'LICENCE_GP_CHANGE', LICENSE_GRACE_PERIOD: '10' };
  const pastDue: Fields = {
    DATE_UPDATED: '2027-11-24 10:30:00',
    STATUS: 'PAST DUE',
    DISPATCH_REASON: 'LICENCE_PASTDUE',
    EXPIRED: '1',
    LICENSE_GRACE_PERIOD: undefined,
    NEXT_RENEWAL_PRICE: '',
  };

  it('keeps the grace period an older LCN set when the newer one does not carry it, and access through it', async () => {
    const runs = [new ScenarioRun(t, 'past-due'), new ScenarioRun(t, 'past-due')];
    for (const run of runs) await run.send(1);
    await sendLcns(runs[0], gracePeriod, pastDue);
    await sendLcns(runs[1], pastDue, gracePeriod);
    for (const run of runs) {
      expect(await run.subscription()).toMatchObject({
        status: 'past_due',
        gracePeriodDays: 10,
        expiresAt: '2027-11-24 10:25:40',
        nextRenewalPrice: null,
        nextRenewalDate: '2027-11-24',
        email: run.ids.email,
      });
      expect(await access(run)).toEqual(['granted']);
    }
    expect(await shown(runs[1])).toEqual(await shown(runs[0]));

    const clock = t.app.get(GraceExpiryService);
    // Eight days after the expiry (a 7-day grace period would be over): still past due, access kept.
    await clock.runOnce(new Date('2027-12-02T10:25:41Z'));
    await runs[0].settled();
    for (const run of runs) {
      expect(await run.subscription()).toMatchObject({ status: 'past_due' });
      expect(await access(run)).toEqual(['granted']);
    }
    // Once the ten days are over, both end.
    expect(await clock.runOnce(new Date('2027-12-04T10:25:41Z'))).toBeGreaterThanOrEqual(2);
    await runs[0].settled();
    for (const run of runs) {
      expect(await run.subscription()).toMatchObject({ status: 'expired' });
      expect(await access(run)).toEqual(['expired']);
    }
  });

  it('clears a value a newer LCN sends empty and keeps those it does not send', async () => {
    const older: Fields = { DATE_UPDATED: '2027-05-01 09:00:00', NEXT_RENEWAL_PRICE: '39.00', LICENSE_GRACE_PERIOD: '14' };
    const newer: Fields = {
      DATE_UPDATED: '2027-06-01 09:00:00',
      LICENSE_GRACE_PERIOD: '',
      EMAIL: undefined,
      NEXT_RENEWAL_PRICE: undefined,
      NEXT_RENEWAL_DATE: '',
    };
    const runs = [new ScenarioRun(t, 'past-due'), new ScenarioRun(t, 'past-due')];
    for (const run of runs) await run.send(1);
    await sendLcns(runs[0], older, newer);
    await sendLcns(runs[1], newer, older);
    for (const run of runs) {
      expect(await run.subscription()).toMatchObject({
        status: 'active',
        gracePeriodDays: null,
        nextRenewalPrice: '39.00',
        nextRenewalDate: null,
        email: run.ids.email,
      });
    }
    expect(await shown(runs[1])).toEqual(await shown(runs[0]));
  });

  // Needs the receipt to accept a present-but-empty EXPIRATION_DATE (today's guard answers 400).
  it('changes no expiry for an LCN with an empty EXPIRATION_DATE (a lifetime license)', async () => {
    const run = new ScenarioRun(t, 'past-due');
    await run.send(1);
    await sendLcns(run, { DATE_UPDATED: '2027-06-01 09:00:00', EXPIRATION_DATE: '', LICENSE_TYPE: 'LIFETIME' });
    expect(await run.subscription()).toMatchObject({ status: 'active', expiresAt: '2027-11-24 10:25:40', licenseType: 'LIFETIME' });
    expect(await access(run)).toEqual(['granted']);
  });
});

describe('values no subscription can hold', () => {
  async function deadLetterOf(run: ScenarioRun, fields: Fields): Promise<string> {
    const response = await postLcn(run, fields);
    expect(response.status).toBe(200);
    await run.settled();
    const db = t.app.get(DataSource);
    const [notification] = await db.query(`SELECT id FROM ipn_notification WHERE kind = 'lcn' ORDER BY received_at DESC LIMIT 1`);
    const [event] = await db.query(`SELECT status, attempts, last_error FROM outbox_event WHERE correlation_id = $1`, [notification.id]);
    expect(event).toMatchObject({ status: 'dead', attempts: 1 });
    expect(event.last_error).toContain(`notification ${notification.id}: `);
    return event.last_error;
  }

  it('dead-letters an LCN with a 10 KB EMAIL at once, with the reason, and changes nothing', async () => {
    const run = new ScenarioRun(t, 'past-due');
    await run.send(1);
    const before = await run.subscription();
    const email = `${randomBytes(5000).toString('hex')}@example.com`;
    expect(await deadLetterOf(run, { EMAIL: email, DATE_UPDATED: '2027-06-01 09:00:00', STATUS: 'DISABLED' })).toContain(
      `EMAIL is ${email.length} characters long (at most 254)`,
    );
    expect(await run.subscription()).toEqual(before);
  });

  it('dead-letters an LCN whose LICENSE_CODE is longer than a subscription key, at once', async () => {
    const run = new ScenarioRun(t, 'past-due');
    const code = `L${randomBytes(200).toString('hex')}`;
    expect(await deadLetterOf(run, { LICENSE_CODE: code })).toContain(`LICENSE_CODE is ${code.length} characters long (at most 255)`);
    expect((await admin(t, `/api/subscriptions/${code}`)).status).not.toBe(200);
  });
});

describe('the grace scan', () => {
  /** Past-due subscriptions written through the repository, as an LCN would leave them. */
  async function pastDue(prefix: string, count: number, expiresAt: string, graceDays: number): Promise<string[]> {
    const refs = Array.from({ length: count }, (_, i) => `${prefix}-${process.pid}-${String(i).padStart(4, '0')}`);
    const repository = t.app.get(SubscriptionRepository);
    await t.app.get(DataSource).transaction(async (manager) => {
      const locked = await repository.lock(
        manager,
        refs.map((licenseRef) => ({ licenseRef, test: true })),
      );
      const states = refs.map((licenseRef) => {
        const form = FormBody.fromPairs([
          ['LICENSE_CODE', licenseRef],
          ['EMAIL', `${licenseRef.toLowerCase()}@example.com`],
          ['EXPIRATION_DATE', expiresAt],
          ['DATE_UPDATED', expiresAt],
          ['STATUS', 'PAST DUE'],
          ['DISPATCH_REASON', 'LICENCE_PASTDUE'],
          ['LICENSE_GRACE_PERIOD', String(graceDays)],
        ]);
        return applyLicenseChange(locked.get(licenseRef)!, readLicenseChange(form) as LicenseChangeFacts)!;
      });
      await repository.save(manager, states);
    });
    return refs;
  }

  const statusOf = async (ref: string) => (await admin(t, `/api/subscriptions/${ref}`)).body.status;

  it('ends short grace periods behind 1,000 long ones that expired earlier, page by page, once', async () => {
    const long = await pastDue('LONG', 1000, '2030-01-01 00:00:00', 3650);
    const short = await pastDue('SHORT', 5, '2030-06-01 00:00:00', 7);
    const clock = t.app.get(GraceExpiryService);
    // A page of two rows: the five due ones take three.
    expect(await clock.runOnce(new Date('2030-07-01T00:00:00Z'), 2)).toBe(5);
    await drained(t);
    for (const ref of short) expect(await statusOf(ref)).toBe('expired');
    expect(await statusOf(long[0])).toBe('past_due');
    expect(await statusOf(long[999])).toBe('past_due');
    expect(await clock.runOnce(new Date('2030-07-01T00:00:00Z'))).toBe(0);
    const [{ n }] = await t.app
      .get(DataSource)
      .query(
        `SELECT count(*)::int AS n FROM outbox_event WHERE name = 'subscription.grace_elapsed' AND payload->'data'->>'licenseRef' LIKE 'LONG-%'`,
      );
    expect(n).toBe(0);
  });
});
