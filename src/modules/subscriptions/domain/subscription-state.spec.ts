import fc from 'fast-check';
import type { LicenseChange } from '../contracts/subscription.events';
import {
  PaidLine,
  SubscriptionState,
  applyLicenseChange,
  applyPaidLine,
  expireAfterGrace,
  statusShown,
  transitionsOf,
} from './subscription-state';

/** A subscription as the repository creates it: active, nothing known yet. */
function newSubscription(licenseRef: string, test: boolean): SubscriptionState {
  return {
    licenseRef,
    productId: null,
    productName: null,
    productKey: null,
    status: 'active',
    statusKey: null,
    expiresAt: null,
    expiryKey: null,
    cancelAtPeriodEnd: false,
    cancelKey: null,
    gracePeriodDays: null,
    nextRenewalDate: null,
    nextRenewalPrice: null,
    licenseStatus: null,
    disabled: false,
    lcnKey: null,
    email: null,
    startedBy: null,
    test,
  };
}

const lcn = (dateUpdated: string, change: Partial<LicenseChange> = {}): LicenseChange => ({
  licenseCode: 'L1',
  expirationDate: '2027-11-24 10:25:40',
  status: 'ACTIVE',
  disabled: false,
  licenseType: 'REGULAR',
  changedBy: 'SYSTEM',
  dispatchReason: 'LICENCE_CHANGE',
  email: 'buyer@example.com',
  dateUpdated,
  gracePeriodDays: 7,
  nextRenewalDate: null,
  nextRenewalPrice: null,
  ...change,
});

const paid = (refNo: string, kind: PaidLine['kind'], ipnDate: string, licenseExpiresAt: string): PaidLine => ({
  refNo,
  kind,
  productId: kind === 'upgrade' ? 'BIG' : 'SMALL',
  productName: kind === 'upgrade' ? 'Big plan' : 'Small plan',
  licenseExpiresAt,
  email: 'buyer@example.com',
  ipnDate,
});

const apply = (state: SubscriptionState, change: LicenseChange) => applyLicenseChange(state, change) ?? state;

describe('subscription state', () => {
  const bought = applyPaidLine(newSubscription('L1', true), paid('1', 'new', '20261124102602', '2027-11-24 10:25:40'));

  it('starts with the first purchase and is extended by renewals, whatever comes first', () => {
    expect(bought.transition).toBe('started');
    const renewal = paid('2', 'renewal', '20271124102602', '2028-11-24 10:25:40');
    const inOrder = applyPaidLine(bought.next, renewal);
    expect(inOrder).toMatchObject({
      transition: 'renewed',
      next: { startedBy: '1', expiresAt: '2028-11-24 10:25:40', productId: 'SMALL', status: 'active' },
    });
    const renewalFirst = applyPaidLine(
      applyPaidLine(newSubscription('L1', true), renewal).next,
      paid('1', 'new', '20261124102602', '2027-11-24 10:25:40'),
    );
    expect(renewalFirst.next).toEqual(inOrder.next);
  });

  it('moves to the product of an upgrade, and a later purchase does not move it back', () => {
    const upgraded = applyPaidLine(bought.next, paid('2', 'upgrade', '20270301120000', '2027-11-24 10:25:40'));
    expect(upgraded).toMatchObject({ transition: 'upgraded', next: { productId: 'BIG' } });
    expect(applyPaidLine(upgraded.next, paid('3', 'new', '20270401120000', '2027-11-24 10:25:40')).next.productId).toBe('BIG');
  });

  it('expires once the grace period is over, past due before', () => {
    const expiry = { status: 'EXPIRED', dispatchReason: 'LICENCE_EXPIRATION' };
    expect(apply(bought.next, lcn('2027-11-30 10:00:00', expiry)).status).toBe('past_due');
    expect(apply(bought.next, lcn('2027-12-01 10:25:40', expiry)).status).toBe('expired');
    expect(apply(bought.next, lcn('2027-11-25 10:00:00', { ...expiry, gracePeriodDays: 0 })).status).toBe('expired');
  });

  it('expires by the clock once the grace period ran out, unless a renewal dated later came first', () => {
    const pastDue = apply(bought.next, lcn('2027-11-25 10:00:00', { status: 'EXPIRED', dispatchReason: 'LICENCE_EXPIRATION' }));
    const graceEnd = Date.UTC(2027, 11, 1, 10, 25, 40);
    expect(pastDue.status).toBe('past_due');
    expect(expireAfterGrace(pastDue, graceEnd - 1000)).toBeNull();
    expect(expireAfterGrace(pastDue, graceEnd)).toMatchObject({ status: 'expired', statusKey: '20271201102540' });
    const renewed = applyPaidLine(pastDue, paid('2', 'renewal', '20271126090000', '2028-11-24 10:25:40')).next;
    expect(expireAfterGrace(renewed, graceEnd)).toBeNull();
    // A later LCN saying active wins over the clock's expiry, whichever is applied first.
    const expired = expireAfterGrace(pastDue, graceEnd)!;
    expect(apply(expired, lcn('2027-12-02 09:00:00')).status).toBe('active');
  });

  it('shows an expiry after a scheduled cancellation as canceled, the cancellation arriving first or last', () => {
    const schedule = lcn('2027-03-01 09:00:00', { dispatchReason: 'SCHEDULED_FOR_CANCELATION_ON_DEMAND' });
    const expiry = lcn('2027-12-01 10:30:00', { status: 'EXPIRED', dispatchReason: 'LICENCE_EXPIRATION' });
    const inOrder = apply(apply(bought.next, schedule), expiry);
    const late = apply(apply(bought.next, expiry), schedule);
    expect(statusShown(inOrder)).toBe('canceled');
    expect(late).toEqual(inOrder);
  });

  it('ignores an LCN older than the one applied', () => {
    const disabled = apply(bought.next, lcn('2027-02-01 09:00:00', { status: 'DISABLED', disabled: true }));
    expect(applyLicenseChange(disabled, lcn('2027-01-01 09:00:00'))).toBeNull();
  });

  it('names what changed for the customer', () => {
    const pastDue = apply(bought.next, lcn('2027-11-24 10:30:00', { status: 'PAST DUE', dispatchReason: 'LICENCE_PASTDUE' }));
    expect(transitionsOf(bought.next, pastDue)).toEqual(['past_due']);
    const disabled = apply(bought.next, lcn('2027-02-01 09:00:00', { status: 'DISABLED', disabled: true }));
    expect(transitionsOf(bought.next, disabled)).toEqual(['suspended']);
    expect(transitionsOf(disabled, apply(disabled, lcn('2027-02-02 09:00:00')))).toEqual(['reactivated']);
    const scheduled = apply(bought.next, lcn('2027-03-01 09:00:00', { dispatchReason: 'SCHEDULED_FOR_CANCELATION_ON_DEMAND' }));
    expect(transitionsOf(bought.next, scheduled)).toEqual(['canceled']);
    expect(
      transitionsOf(scheduled, apply(scheduled, lcn('2027-03-05 09:00:00', { dispatchReason: 'REVERT_CANCELATION_ON_DEMAND' }))),
    ).toEqual(['reactivated']);
  });

  it('reaches the same state from LCNs of distinct dates in any arrival order', () => {
    const changes = [
      lcn('2027-02-01 09:00:00', { status: 'DISABLED', disabled: true }),
      lcn('2027-03-01 09:00:00', { dispatchReason: 'SCHEDULED_FOR_CANCELATION_ON_DEMAND' }),
      lcn('2027-03-05 09:00:00', { dispatchReason: 'REVERT_CANCELATION_ON_DEMAND', gracePeriodDays: 14 }),
      lcn('2027-11-24 10:30:00', { status: 'PAST DUE', dispatchReason: 'LICENCE_PASTDUE' }),
      lcn('2027-12-20 10:30:00', { status: 'EXPIRED', dispatchReason: 'LICENCE_EXPIRATION', expirationDate: '2027-11-24 10:25:40' }),
    ];
    const serial = changes.reduce(apply, bought.next);
    fc.assert(
      fc.property(fc.shuffledSubarray(changes, { minLength: changes.length }), (shuffled) => {
        expect(shuffled.reduce(apply, bought.next)).toEqual(serial);
      }),
    );
  });
});
