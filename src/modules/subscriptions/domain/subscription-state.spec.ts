import fc from 'fast-check';
import { FormBody } from '../../ipn/protocol';
import { LicenseChangeFacts, LicenseChangeProblem, readLicenseChange } from './license-change';
import { clockKey, lcnKey, orderKey } from './merge-key';
import {
  PaidLine,
  SubscriptionState,
  applyLicenseChange,
  applyPaidLine,
  expireAfterGrace,
  statusShown,
  subscriptionOf,
  transitionsOf,
} from './subscription-state';

/** A subscription as the repository creates it: active, nothing known yet. */
const newSubscription = () => subscriptionOf('L1', true, {});

const LCN_BASE: Record<string, string> = {
  EMAIL: 'buyer@example.com',
  LICENSE_CODE: 'L1',
  EXPIRATION_DATE: '2027-11-24 10:25:40',
  DATE_UPDATED: '2026-11-24 10:30:00',
  CHANGED_BY: 'SYSTEM',
  LICENSE_TYPE: 'REGULAR',
  DISABLED: '0',
  STATUS: 'ACTIVE',
  DISPATCH_REASON: 'LICENCE_CHANGE',
  LICENSE_GRACE_PERIOD: '7',
};

/** An LCN as read from its form: `fields` replace the base's; an undefined one is not sent at all. */
function lcnOf(fields: Record<string, string | undefined>, base: Record<string, string> = LCN_BASE): LicenseChangeFacts {
  const pairs = Object.entries({ ...base, ...fields }).filter((pair): pair is [string, string] => pair[1] !== undefined);
  const read = readLicenseChange(FormBody.fromPairs(pairs));
  if (read instanceof LicenseChangeProblem) throw new Error(read.reason);
  return read;
}

const lcn = (dateUpdated: string, fields: Record<string, string | undefined> = {}) => lcnOf({ DATE_UPDATED: dateUpdated, ...fields });

const paid = (refNo: string, kind: PaidLine['kind'], ipnDate: string, licenseExpiresAt: string | null): PaidLine => ({
  refNo,
  kind,
  productId: kind === 'upgrade' ? 'BIG' : 'SMALL',
  productName: kind === 'upgrade' ? 'Big plan' : 'Small plan',
  licenseExpiresAt,
  email: 'buyer@example.com',
  ipnDate,
});

const apply = (state: SubscriptionState, change: LicenseChangeFacts) => applyLicenseChange(state, change) ?? state;
const applyAll = (state: SubscriptionState, changes: readonly LicenseChangeFacts[]) => changes.reduce(apply, state);

describe('subscription state', () => {
  const bought = applyPaidLine(newSubscription(), paid('1', 'new', '20261124102602', '2027-11-24 10:25:40'));
  const expiry = { STATUS: 'EXPIRED', DISPATCH_REASON: 'LICENCE_EXPIRATION' };

  it('starts with the earliest purchase and is extended by renewals, whatever comes first', () => {
    expect(bought.transition).toBe('started');
    const renewal = paid('2', 'renewal', '20271124102602', '2028-11-24 10:25:40');
    const inOrder = applyPaidLine(bought.next, renewal);
    expect(inOrder).toMatchObject({
      transition: 'renewed',
      next: { startedBy: '1', expiresAt: '2028-11-24 10:25:40', productId: 'SMALL', status: 'active' },
    });
    const renewalFirst = applyPaidLine(
      applyPaidLine(newSubscription(), renewal).next,
      paid('1', 'new', '20261124102602', '2027-11-24 10:25:40'),
    );
    expect(renewalFirst.next).toEqual(inOrder.next);
    // A later purchase of the same license is only linked; an earlier one, arriving last, starts it.
    const later = paid('3', 'new', '20270101000000', '2028-01-01 00:00:00');
    expect(applyPaidLine(bought.next, later)).toEqual({ next: bought.next, transition: null });
    const laterFirst = applyPaidLine(newSubscription(), later).next;
    expect(applyPaidLine(laterFirst, paid('1', 'new', '20261124102602', '2027-11-24 10:25:40'))).toEqual(bought);
  });

  it('moves to the product of an upgrade, and a later purchase does not move it back', () => {
    const upgraded = applyPaidLine(bought.next, paid('2', 'upgrade', '20270301120000', '2027-11-24 10:25:40'));
    expect(upgraded).toMatchObject({ transition: 'upgraded', next: { productId: 'BIG' } });
    expect(applyPaidLine(upgraded.next, paid('3', 'new', '20270401120000', '2027-11-24 10:25:40')).next.productId).toBe('BIG');
  });

  it('expires once the grace period is over, past due before', () => {
    expect(apply(bought.next, lcn('2027-11-30 10:00:00', expiry)).status).toBe('past_due');
    expect(apply(bought.next, lcn('2027-12-01 10:25:40', expiry)).status).toBe('expired');
    expect(apply(bought.next, lcn('2027-11-25 10:00:00', { ...expiry, LICENSE_GRACE_PERIOD: '0' })).status).toBe('expired');
  });

  it('expires by the clock once the grace period ran out, unless a message dated later decides', () => {
    const pastDue = apply(bought.next, lcn('2027-11-25 10:00:00', expiry));
    const graceEnd = Date.UTC(2027, 11, 1, 10, 25, 40);
    expect(pastDue).toMatchObject({ status: 'past_due', graceEndsAt: graceEnd });
    expect(expireAfterGrace(pastDue, graceEnd - 1000)).toMatchObject({ status: 'past_due', graceEndsAt: graceEnd });
    const expired = expireAfterGrace(pastDue, graceEnd)!;
    expect(expired).toMatchObject({ status: 'expired', graceEndsAt: null });
    expect(expireAfterGrace(expired, graceEnd)).toBeNull();
    // A renewal paid within the grace period keeps it, whether it comes before the clock's report or after.
    const renewal = paid('2', 'renewal', '20271126090000', '2028-11-24 10:25:40');
    const renewed = applyPaidLine(pastDue, renewal).next;
    expect(expireAfterGrace(renewed, graceEnd)).toMatchObject({ status: 'active', graceEndsAt: null });
    expect(applyPaidLine(expired, renewal).next).toMatchObject({ status: 'active', expiresAt: '2028-11-24 10:25:40' });
    // A later LCN saying active wins over the clock's expiry, whichever is applied first.
    expect(apply(expired, lcn('2027-12-02 09:00:00')).status).toBe('active');
    // A grace period learnt from an older LCN arriving last gives access back.
    const withoutGrace = apply(bought.next, lcn('2027-11-25 10:00:00', { ...expiry, LICENSE_GRACE_PERIOD: undefined }));
    expect(withoutGrace.status).toBe('expired');
    const longer = apply(withoutGrace, lcn('2027-05-01 09:00:00', { DISPATCH_REASON: 'LICENCE_GP_CHANGE', LICENSE_GRACE_PERIOD: '10' }));
    expect(longer).toMatchObject({ status: 'past_due', gracePeriodDays: 10, graceEndsAt: Date.UTC(2027, 11, 4, 10, 25, 40) });
  });

  it('keeps a grace period that a newer LCN does not carry, in either arrival order', () => {
    const grace = lcn('2027-05-01 09:00:00', { DISPATCH_REASON: 'LICENCE_GP_CHANGE', LICENSE_GRACE_PERIOD: '10' });
    const pastDue = lcn('2027-11-24 10:30:00', { STATUS: 'PAST DUE', DISPATCH_REASON: 'LICENCE_PASTDUE', LICENSE_GRACE_PERIOD: undefined });
    const inOrder = applyAll(bought.next, [grace, pastDue]);
    expect(inOrder).toMatchObject({ status: 'past_due', gracePeriodDays: 10, graceEndsAt: Date.UTC(2027, 11, 4, 10, 25, 40) });
    expect(applyAll(bought.next, [pastDue, grace])).toEqual(inOrder);
    // Eight days after the expiry the clock has nothing to end; eleven days after, it has.
    expect(expireAfterGrace(inOrder, Date.UTC(2027, 11, 2, 10, 25, 40))!.status).toBe('past_due');
    expect(expireAfterGrace(inOrder, Date.UTC(2027, 11, 4, 10, 25, 40))!.status).toBe('expired');
  });

  it('clears a value that a newer LCN sends empty, in either arrival order, and keeps those it does not send', () => {
    const older = lcn('2027-05-01 09:00:00', { NEXT_RENEWAL_PRICE: '39.00', NEXT_RENEWAL_DATE: '2027-11-24' });
    const newer = lcn('2027-06-01 09:00:00', {
      LICENSE_GRACE_PERIOD: '',
      NEXT_RENEWAL_PRICE: '',
      EMAIL: undefined,
      NEXT_RENEWAL_DATE: undefined,
    });
    const inOrder = applyAll(bought.next, [older, newer]);
    expect(inOrder).toMatchObject({
      gracePeriodDays: null,
      nextRenewalPrice: null,
      nextRenewalDate: '2027-11-24',
      email: 'buyer@example.com',
    });
    expect(applyAll(bought.next, [newer, older])).toEqual(inOrder);
    // An empty DISABLED is not disabled; an empty EMAIL outranks the order's.
    expect(apply(bought.next, lcn('2027-06-01 09:00:00', { DISABLED: '', EMAIL: '' }))).toMatchObject({ disabled: false, email: null });
  });

  it('changes no expiry for an empty EXPIRATION_DATE (a lifetime license), in either arrival order', () => {
    const lifetime = lcn('2027-06-01 09:00:00', { EXPIRATION_DATE: '', LICENSE_TYPE: 'LIFETIME' });
    const dated = lcn('2027-05-01 09:00:00', { EXPIRATION_DATE: '2028-05-01 00:00:00' });
    expect(apply(bought.next, lifetime)).toMatchObject({ expiresAt: '2027-11-24 10:25:40', licenseType: 'LIFETIME', status: 'active' });
    const inOrder = applyAll(bought.next, [dated, lifetime]);
    expect(inOrder.expiresAt).toBe('2028-05-01 00:00:00');
    expect(applyAll(bought.next, [lifetime, dated])).toEqual(inOrder);
  });

  it('breaks a tie between LCNs of one DATE_UPDATED by their content, not by arrival', () => {
    const a = lcn('2027-06-01 09:00:00', { STATUS: 'DISABLED', DISABLED: '1', LICENSE_GRACE_PERIOD: '3' });
    const b = lcn('2027-06-01 09:00:00', { STATUS: 'ACTIVE', LICENSE_GRACE_PERIOD: '30' });
    expect(applyAll(bought.next, [a, b])).toEqual(applyAll(bought.next, [b, a]));
  });

  it('shows an expiry after a scheduled cancellation as canceled, the cancellation arriving first or last', () => {
    const schedule = lcn('2027-03-01 09:00:00', { DISPATCH_REASON: 'SCHEDULED_FOR_CANCELATION_ON_DEMAND' });
    const end = lcn('2027-12-01 10:30:00', expiry);
    const inOrder = applyAll(bought.next, [schedule, end]);
    expect(statusShown(inOrder)).toBe('canceled');
    expect(applyAll(bought.next, [end, schedule])).toEqual(inOrder);
  });

  it('ignores an LCN older than the one applied in every field it carries, and one applied before', () => {
    const disabled = apply(bought.next, lcn('2027-02-01 09:00:00', { STATUS: 'DISABLED', DISABLED: '1' }));
    expect(applyLicenseChange(disabled, lcn('2027-01-01 09:00:00'))).toBeNull();
    expect(applyLicenseChange(disabled, lcn('2027-02-01 09:00:00', { STATUS: 'DISABLED', DISABLED: '1' }))).toBeNull();
  });

  it('names what changed for the customer', () => {
    const pastDue = apply(bought.next, lcn('2027-11-24 10:30:00', { STATUS: 'PAST DUE', DISPATCH_REASON: 'LICENCE_PASTDUE' }));
    expect(transitionsOf(bought.next, pastDue)).toEqual(['past_due']);
    const disabled = apply(bought.next, lcn('2027-02-01 09:00:00', { STATUS: 'DISABLED', DISABLED: '1' }));
    expect(transitionsOf(bought.next, disabled)).toEqual(['suspended']);
    expect(transitionsOf(disabled, apply(disabled, lcn('2027-02-02 09:00:00')))).toEqual(['reactivated']);
    const scheduled = apply(bought.next, lcn('2027-03-01 09:00:00', { DISPATCH_REASON: 'SCHEDULED_FOR_CANCELATION_ON_DEMAND' }));
    expect(transitionsOf(bought.next, scheduled)).toEqual(['canceled']);
    expect(
      transitionsOf(scheduled, apply(scheduled, lcn('2027-03-05 09:00:00', { DISPATCH_REASON: 'REVERT_CANCELATION_ON_DEMAND' }))),
    ).toEqual(['reactivated']);
  });

  it('keeps a subscription stored before the field merge as it was', () => {
    const stored = subscriptionOf('L1', false, {
      start: { refNo: '1', key: '00000000000000.0.', product: null, expiresAt: null, email: null },
      product: { value: { id: 'SMALL', name: 'Small plan' }, key: '1|20261124102602.1.' },
      expiresAt: { value: '2027-11-24 10:25:40', key: '20261124102602.1.' },
      gracePeriodDays: { value: 7, key: '20271124103000.1.' },
      status: { value: { from: 'stored', status: 'past_due' }, key: '20271124103000.1.' },
    });
    expect(stored).toMatchObject({
      status: 'past_due',
      startedBy: '1',
      productId: 'SMALL',
      graceEndsAt: Date.UTC(2027, 11, 1, 10, 25, 40),
    });
    expect(applyPaidLine(stored, paid('9', 'new', '20261124102602', null)).transition).toBeNull();
    expect(apply(stored, lcn('2027-11-26 09:00:00')).status).toBe('active');
  });
});

describe('reading an LCN', () => {
  it('tells absent fields from empty ones', () => {
    expect(lcnOf({ LICENSE_GRACE_PERIOD: '', EMAIL: undefined, STATUS: '', EXPIRATION_DATE: '' }).carried).toEqual({
      licenseStatus: null,
      disabled: false,
      gracePeriodDays: null,
      licenseType: 'REGULAR',
    });
    expect(lcnOf({ LICENSE_GRACE_PERIOD: 'soon' }).carried).not.toHaveProperty('gracePeriodDays');
  });

  it('names a value no subscription can hold', () => {
    const read = (fields: Record<string, string>) => readLicenseChange(FormBody.fromPairs(Object.entries({ ...LCN_BASE, ...fields })));
    expect(read({ EMAIL: `${'x'.repeat(10_000)}@example.com` })).toEqual(
      new LicenseChangeProblem('EMAIL is 10012 characters long (at most 254)'),
    );
    expect(read({ LICENSE_CODE: 'L'.repeat(256) })).toEqual(new LicenseChangeProblem('LICENSE_CODE is 256 characters long (at most 255)'));
    expect(read({ NEXT_RENEWAL_PRICE: '9'.repeat(1001) })).toBeInstanceOf(LicenseChangeProblem);
    expect(read({ EMAIL: `${'x'.repeat(242)}@example.com` })).not.toBeInstanceOf(LicenseChangeProblem);
  });
});

describe('arrival order', () => {
  type Message = { kind: 'lcn'; facts: LicenseChangeFacts } | { kind: 'paid'; line: PaidLine } | { kind: 'clock'; at: number };

  const field = (...values: string[]) => fc.option(fc.constantFrom('', ...values), { nil: undefined });
  const lcnArbitrary = fc
    .record({
      DATE_UPDATED: fc.constantFrom(
        '2027-05-01 09:00:00',
        '2027-11-24 10:30:00',
        '2027-11-25 10:30:00',
        '2027-12-01 10:30:00',
        '2027-12-20 10:30:00',
      ),
      STATUS: field('ACTIVE', 'PAST DUE', 'EXPIRED', 'DISABLED', 'PENDING ACTIVATION'),
      DISABLED: field('0', '1'),
      EMAIL: field('a@example.com', 'B@example.com'),
      LICENSE_GRACE_PERIOD: field('0', '7', '10', '30'),
      NEXT_RENEWAL_DATE: field('2027-11-24', '2028-11-24'),
      NEXT_RENEWAL_PRICE: field('49.00', '39.00'),
      LICENSE_TYPE: field('REGULAR', 'TRIAL'),
      EXPIRATION_DATE: field('2027-11-24 10:25:40', '2028-11-24 10:25:40'),
      DISPATCH_REASON: field(
        'LICENCE_CHANGE',
        'LICENCE_PASTDUE',
        'LICENCE_EXPIRATION',
        'LICENCE_GP_CHANGE',
        'LICENCE_PENDING_ACTIVATION',
        'SCHEDULED_FOR_CANCELATION_ON_DEMAND',
        'REVERT_CANCELATION_ON_DEMAND',
      ),
    })
    .map((fields): Message => ({ kind: 'lcn', facts: lcnOf(fields, { LICENSE_CODE: 'L1' }) }));
  const paidArbitrary = fc.record({
    kind: fc.constantFrom<PaidLine['kind']>('new', 'renewal', 'upgrade'),
    ipnDate: fc.constantFrom('20261124102602', '20271124103000', '20271126090000', '20271201103000'),
    expires: fc.constantFrom(null, '2027-11-24 10:25:40', '2028-11-24 10:25:40'),
    email: fc.constantFrom(null, 'a@example.com', 'c@example.com'),
  });
  const clockArbitrary = fc
    .constantFrom(
      Date.UTC(2027, 10, 24, 10, 25, 40),
      Date.UTC(2027, 11, 1, 10, 25, 40),
      Date.UTC(2027, 11, 4, 10, 25, 40),
      Date.UTC(2027, 11, 24),
    )
    .map((at): Message => ({ kind: 'clock', at }));
  const messagesArbitrary = fc
    .tuple(fc.array(lcnArbitrary, { maxLength: 8 }), fc.array(paidArbitrary, { maxLength: 4 }), fc.array(clockArbitrary, { maxLength: 2 }))
    .map(([lcns, lines, clock]): Message[] => [
      ...lcns,
      ...lines.map(({ kind, ipnDate, expires, email }, i): Message => ({
        kind: 'paid',
        line: { ...paid(String(i + 1), kind, ipnDate, expires), email },
      })),
      ...clock,
    ]);

  const keyOf = (message: Message): string => {
    if (message.kind === 'lcn') return lcnKey(message.facts.change.dateUpdated, message.facts.identity);
    if (message.kind === 'paid') return orderKey(message.line.ipnDate, message.line.refNo);
    return clockKey(message.at);
  };
  const applyMessage = (state: SubscriptionState, message: Message): SubscriptionState => {
    if (message.kind === 'lcn') return applyLicenseChange(state, message.facts) ?? state;
    if (message.kind === 'paid') return applyPaidLine(state, message.line).next;
    return expireAfterGrace(state, message.at) ?? state;
  };

  it('reaches the state of the messages applied in date order, whatever order they arrive in, some twice', () => {
    fc.assert(
      fc.property(
        messagesArbitrary.chain((messages) =>
          fc.tuple(
            fc.constant(messages),
            fc.shuffledSubarray(messages, { minLength: messages.length }),
            fc.subarray(messages), // delivered a second time
          ),
        ),
        ([messages, shuffled, again]) => {
          const sorted = [...messages].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
          const expected = sorted.reduce(applyMessage, newSubscription());
          expect([...shuffled, ...again].reduce(applyMessage, newSubscription())).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
