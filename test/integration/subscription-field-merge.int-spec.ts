import { DataSource } from 'typeorm';
import type { DatabaseEndpoint } from '../../src/database/embedded-postgres';
import { SubscriptionFieldMerge1764000002100 } from '../../src/database/migrations/1764000002100-subscription-field-merge';
import { statusShown } from '../../src/modules/subscriptions/domain/subscription-state';
import { SubscriptionRepository } from '../../src/modules/subscriptions/persistence/subscription.repository';
import { TestApp, createTestApp } from '../setup/create-test-app';
import { provisionTestDatabase } from '../setup/test-database';

let database: DatabaseEndpoint;
let t: TestApp;

beforeAll(async () => {
  database = await provisionTestDatabase();
  t = await createTestApp(database, { OUTBOX_RELAY: 'off' });
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

/** A row as stored before the field merge: its columns and values. */
type OldRow = Record<string, string | number | boolean | null>;

const purchase: OldRow = {
  expires_at: '2027-11-24 10:25:40',
  expiry_key: '20261124102602',
  started_by: '9001',
  product_id: 'SMALL',
  product_name: 'Small plan',
  product_key: '0|20261124102602',
  status_key: '20261124102602',
  email: 'buyer@example.com',
};
const lcn = (key: string): OldRow => ({ lcn_key: key, license_status: 'ACTIVE', grace_period_days: 7, next_renewal_date: '2027-11-24' });

const ROWS: OldRow[] = [
  { license_ref: 'M-ACTIVE', status: 'active', ...purchase },
  {
    license_ref: 'M-PAST-DUE',
    ...purchase,
    ...lcn('20271124103000'),
    status: 'past_due',
    status_key: '20271124103000',
    license_status: 'PAST DUE',
  },
  // Past due by an LCN dated after its grace period: the clock has nothing to end.
  { license_ref: 'M-LATE', ...purchase, ...lcn('20280101000000'), status: 'past_due', status_key: '20280101000000' },
  {
    license_ref: 'M-CANCELED',
    ...purchase,
    ...lcn('20271201103000'),
    status: 'expired',
    status_key: '20271201103000',
    cancel_at_period_end: true,
    cancel_key: '20270301090000',
  },
  {
    license_ref: 'M-UPGRADED',
    status: 'disabled',
    ...purchase,
    ...lcn('20270401090000'),
    disabled: true,
    product_id: 'BIG',
    product_name: 'Big plan',
    product_key: '1|20270301120000',
  },
  // Seen by an LCN only.
  { license_ref: 'M-LCN', ...lcn('20270401090000'), status: 'pending_activation', status_key: '20270401090000', email: 'lcn@example.com' },
];

it('migrates stored subscriptions to the field merge with the same values, and the clock’s grace end', async () => {
  const dataSource = t.app.get(DataSource);
  const name = new SubscriptionFieldMerge1764000002100().name;
  while ((await dataSource.query(`SELECT 1 FROM migrations WHERE name = $1`, [name])).length > 0) await dataSource.undoLastMigration();
  for (const row of ROWS) {
    const columns = Object.keys(row);
    await dataSource.query(
      `INSERT INTO subscription (${columns.join(', ')}, test) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}, true)`,
      Object.values(row),
    );
  }
  await dataSource.runMigrations();

  const states = await t.app.get(SubscriptionRepository).read(
    dataSource.manager,
    ROWS.map((row) => row.license_ref as string),
  );
  const stored: Array<Record<string, unknown>> = await dataSource.query(`SELECT license_ref, grace_ends_at FROM subscription`);
  for (const row of ROWS) {
    const state = states.get(row.license_ref as string)!;
    expect({
      status: state.status,
      expiresAt: state.expiresAt,
      cancelAtPeriodEnd: state.cancelAtPeriodEnd,
      gracePeriodDays: state.gracePeriodDays,
      nextRenewalDate: state.nextRenewalDate,
      nextRenewalPrice: state.nextRenewalPrice,
      licenseStatus: state.licenseStatus,
      disabled: state.disabled,
      email: state.email,
      startedBy: state.startedBy,
      productId: state.productId,
      productName: state.productName,
    }).toEqual({
      status: row.status,
      expiresAt: row.expires_at ?? null,
      cancelAtPeriodEnd: row.cancel_at_period_end ?? false,
      gracePeriodDays: row.grace_period_days ?? null,
      nextRenewalDate: row.next_renewal_date ?? null,
      nextRenewalPrice: row.next_renewal_price ?? null,
      licenseStatus: row.license_status ?? null,
      disabled: row.disabled ?? false,
      email: row.email ?? null,
      startedBy: row.started_by ?? null,
      productId: row.product_id ?? null,
      productName: row.product_name ?? null,
    });
    const graceEndsAt = stored.find((one) => one.license_ref === row.license_ref)!.grace_ends_at as Date | null;
    expect(graceEndsAt?.getTime() ?? null).toBe(state.graceEndsAt);
  }
  expect(states.get('M-PAST-DUE')!.graceEndsAt).toBe(Date.UTC(2027, 11, 1, 10, 25, 40));
  expect(states.get('M-LATE')!.graceEndsAt).toBeNull();
  expect(statusShown(states.get('M-CANCELED')!)).toBe('canceled');
});
