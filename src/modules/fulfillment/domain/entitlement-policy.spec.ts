import { OrderStanding, decidingLine, entitlementStatus, isWithdrawal, licenseAccess, lineStatus } from './entitlement-policy';

const paid: OrderStanding = {
  triggerReached: true,
  canceled: false,
  paymentReversed: false,
  fraud: 'cleared',
  dispute: 'none',
  refundedLines: new Set(),
};

describe('entitlement policy', () => {
  it.each<[string, Partial<OrderStanding>, ReturnType<typeof lineStatus>]>([
    ['before the trigger: no line', { triggerReached: false }, null],
    ['paid', {}, 'granted'],
    ['canceled', { canceled: true }, 'revoked'],
    ['payment reversed', { paymentReversed: true }, 'revoked'],
    ['this line refunded', { refundedLines: new Set([1]) }, 'revoked'],
    ['another line refunded', { refundedLines: new Set([2]) }, 'granted'],
    ['dispute open', { dispute: 'open' }, 'held'],
    ['dispute won', { dispute: 'won' }, 'granted'],
    ['dispute lost', { dispute: 'lost' }, 'revoked'],
    ['fraud under review', { fraud: 'pending' }, 'held'],
    ['fraud denied', { fraud: 'denied' }, 'revoked'],
  ])('line 1 of an order %s: %s', (_, standing, expected) => {
    expect(lineStatus({ ...paid, ...standing }, 1)).toBe(expected);
  });

  it('lets the subscription end or suspend access, never give back what the order took', () => {
    expect(entitlementStatus('granted', licenseAccess('expired'))).toBe('expired');
    expect(entitlementStatus('granted', licenseAccess('canceled'))).toBe('expired');
    expect(entitlementStatus('granted', licenseAccess('disabled'))).toBe('held');
    expect(entitlementStatus('granted', licenseAccess('pending_activation'))).toBe('held');
    expect(entitlementStatus('granted', licenseAccess('past_due'))).toBe('granted');
    expect(entitlementStatus('revoked', licenseAccess('active'))).toBe('revoked');
    expect(entitlementStatus('held', licenseAccess(null))).toBe('held');
  });

  it('is decided by the line paying for the latest period, then the later order', () => {
    const lines = [
      { refNo: '900', lineNo: 1, status: 'granted' as const, licenseExpiresAt: '2027-11-24 10:25:40' },
      { refNo: '901', lineNo: 1, status: 'revoked' as const, licenseExpiresAt: '2028-11-24 10:25:40' },
      { refNo: '1000', lineNo: 1, status: 'held' as const, licenseExpiresAt: '2028-11-24 10:25:40' },
    ];
    expect(decidingLine(lines).refNo).toBe('1000');
    expect(decidingLine(lines.slice(0, 2)).refNo).toBe('901');
  });

  it('calls taking access away a withdrawal', () => {
    expect(isWithdrawal('granted', 'held')).toBe(true);
    expect(isWithdrawal('held', 'revoked')).toBe(true);
    expect(isWithdrawal('held', 'granted')).toBe(false);
    expect(isWithdrawal(null, 'held')).toBe(false);
  });
});
