import fc from 'fast-check';
import { FormBody } from '../../ipn';
import type { ChargebackFacts } from './chargeback';
import { IpnOrderFacts, readOrderFacts, stepOf } from './ipn-order-facts';
import { Milestone, OrderState, OrderStep, isPaymentReversed, mergeStep, rankOf, reachedMilestones } from './order-status';
import { OrderBasis, RefundFacts, refundedLines } from './refunds';

const STATUSES = [
  'PENDING',
  'PENDING_APPROVAL',
  'PAYMENT_AUTHORIZED',
  'PAYMENT_RECEIVED',
  'PENDING_ORDER_APPROVAL',
  'COMPLETE',
  'CANCELED',
  'REVERSED',
  'REFUND',
  'SUSPECT',
  'SOMETHING_NEW',
];
const FRAUD = [null, 'APPROVED', 'DENIED', 'UNDER REVIEW', 'PENDING'];

/** The order the tests draw refunds for: line 1, 49.00 x 1; line 2, 10.00 x 2; 69.00 in all. */
const LINES = [
  { lineNo: 1, amount: 49_000 },
  { lineNo: 2, amount: 20_000 },
];
const PURCHASE: OrderBasis = { lines: [1, 2], total: 69_000 };
const REFUND_LINES: OrderBasis = { lines: [1, 2], total: null };
const refundOf = (lines: number[], total: number | null = null): RefundFacts => ({
  refundedLines: LINES.filter((line) => lines.includes(line.lineNo)),
  total,
  currency: 'USD',
});

let counter = 0;
function step(status: string, fraudStatus: string | null = null, date = '20261124100000', extra: Partial<OrderStep> = {}): OrderStep {
  counter += 1;
  const key = `${date}|2026-11-24T10:00:00.000Z|${String(counter).padStart(6, '0')}`;
  const refund = status === 'REFUND' ? refundOf([]) : null;
  return {
    key,
    identity: `id-${key}`,
    status,
    fraudStatus,
    at: `at-${key}`,
    refund,
    chargeback: null,
    basis: refund ? REFUND_LINES : PURCHASE,
    ...extra,
  };
}

/** The same notification delivered again (another listener of the account): a later arrival, the same identity. */
function again(original: OrderStep): OrderStep {
  counter += 1;
  return { ...original, key: `${original.key.split('|')[0]}|2026-11-24T10:00:09.000Z|${String(counter).padStart(6, '0')}` };
}

function fold(steps: readonly OrderStep[]): { state: OrderState | null; reached: Milestone[] } {
  let state: OrderState | null = null;
  const reached: Milestone[] = [];
  for (const one of steps) {
    const before = state?.milestones ?? new Set<Milestone>();
    state = mergeStep(state, one).next;
    reached.push(...reachedMilestones(before, state.milestones));
  }
  return { state, reached };
}

const comparable = (state: OrderState | null) => state && { ...state, milestones: [...state.milestones].sort() };

interface DrawnIpn {
  status: string;
  /** IPN_PRICE of each line, as sent. */
  prices: string[];
  /** IPN_TOTALGENERAL; null: not sent. */
  total: string | null;
  fraud?: string | null;
  chargeback?: ChargebackFacts | null;
  date?: string;
}

/** An IPN of the test order (its lines: 1 x 49.00, 2 x 10.00), read as the order stage reads it. */
function factsOf({ status, prices, total, fraud = null, chargeback = null, date = '20261124100000' }: DrawnIpn): IpnOrderFacts {
  const lines = prices.map((_, i) => i);
  const pairs: Array<[string, string | string[]]> = [
    ['REFNO', '7000001'],
    ['ORDERSTATUS', status],
    ['CURRENCY', 'USD'],
    ['IPN_PID', lines.map((i) => String(100 + i))],
    ['IPN_PNAME', lines.map((i) => `Product ${i + 1}`)],
    ['IPN_QTY', lines.map((i) => (i === 1 ? '2' : '1'))],
    ['IPN_PRICE', prices],
    ...(total === null ? [] : [['IPN_TOTALGENERAL', total] as [string, string]]),
    ...(fraud === null ? [] : [['FRAUD_STATUS', fraud] as [string, string]]),
    ...(chargeback === null
      ? []
      : ([
          ['CHARGEBACK_RESOLUTION', chargeback.resolution],
          ['CHARGEBACK_REASON_CODE', chargeback.reasonCode ?? ''],
        ] as Array<[string, string]>)),
    ['IPN_DATE', date],
  ];
  const facts = readOrderFacts(FormBody.fromPairs(pairs));
  if (!facts || !('refNo' in facts)) throw new Error(`not an order's IPN: ${JSON.stringify(pairs)}`);
  return facts;
}

function keyed(date: string): { key: string; identity: string; at: string } {
  counter += 1;
  const key = `${date}|2026-11-24T10:00:00.000Z|${String(counter).padStart(6, '0')}`;
  return { key, identity: `id-${key}`, at: `at-${key}` };
}

describe('order state', () => {
  it('walks the normal lifecycle, each milestone once', () => {
    const { state, reached } = fold([step('PENDING'), step('PAYMENT_AUTHORIZED'), step('COMPLETE'), step('REFUND')]);
    expect(state!.status).toBe('REFUND');
    expect(reached).toEqual(['placed', 'paymentAuthorized', 'completed', 'refunded']);
  });

  it('records but does not apply a PENDING dated after COMPLETE', () => {
    const complete = fold([step('COMPLETE')]).state;
    const late = mergeStep(complete, step('PENDING', null, '20261124110000'));
    expect(late.applied).toBe(false);
    expect(late.next.status).toBe('COMPLETE');
  });

  it('implies payment and completion for a REFUND seen first', () => {
    expect(fold([step('REFUND')]).reached).toEqual(['placed', 'paymentAuthorized', 'completed', 'refunded']);
  });

  it('treats an unknown status as recorded but inert', () => {
    const odd = mergeStep(fold([step('PENDING')]).state, step('SOMETHING_NEW'));
    expect(odd).toMatchObject({ applied: false, next: { status: 'PENDING' } });
    expect(mergeStep(null, step('SOMETHING_NEW')).next.status).toBeNull();
    expect(rankOf('SOMETHING_NEW')).toBe(-1);
  });

  it('takes the fraud status of the newest notification, not the last to arrive', () => {
    const denied = step('COMPLETE', 'DENIED', '20261124120000');
    const approvedEarlier = step('COMPLETE', 'APPROVED', '20261124110000');
    expect(fold([denied, approvedEarlier]).state!.fraudStatus).toBe('DENIED');
    expect(fold([approvedEarlier, denied]).state!.fraudStatus).toBe('DENIED');
  });

  it('flags the order for a legacy SUSPECT without moving it', () => {
    const { state } = fold([step('PAYMENT_AUTHORIZED'), step('SUSPECT', null, '20261124110000')]);
    expect(state).toMatchObject({ status: 'PAYMENT_AUTHORIZED', fraudStatus: 'SUSPECT' });
  });

  it('takes provisional access away on REVERSED and gives it back to a newer authorization', () => {
    const authorized = step('PAYMENT_AUTHORIZED', null, '20261124100000');
    const reversed = step('REVERSED', null, '20261124110000');
    const retried = step('PAYMENT_AUTHORIZED', null, '20261124120000');
    expect(fold([authorized, reversed]).state).toMatchObject({ status: 'REVERSED', lifecycleStatus: 'PAYMENT_AUTHORIZED' });
    const { state } = fold([retried, reversed, authorized]);
    expect(state!.status).toBe('PAYMENT_AUTHORIZED');
    expect(isPaymentReversed(state!)).toBe(false);
    // A reversal dated after the retry stands, whatever the arrival order.
    const late = step('REVERSED', null, '20261124130000');
    expect(fold([late, retried, authorized, reversed]).state!.status).toBe('REVERSED');
    // A canceled order stays canceled.
    expect(fold([authorized, step('CANCELED', null, '20261124110000'), retried]).state!.status).toBe('CANCELED');
  });

  it('accumulates partial refunds (lines, then an amount) until everything is refunded', () => {
    const complete = step('COMPLETE');
    const line2 = step('REFUND', null, '20261124110000', { refund: refundOf([2]) });
    const { state: partly } = fold([complete, line2]);
    expect(partly).toMatchObject({ status: 'COMPLETE' });
    expect(refundedLines(partly!.refunds, PURCHASE)).toEqual([2]);
    expect(partly!.milestones.has('refunded')).toBe(false);
    const amount = step('REFUND', null, '20261124120000', { refund: refundOf([], 20_000) });
    expect(refundedLines(fold([complete, line2, amount]).state!.refunds, PURCHASE)).toEqual([2]);
    const rest = step('REFUND', null, '20261124130000', { refund: refundOf([], 29_000) });
    const { state, reached } = fold([complete, line2, amount, rest]);
    expect(state!.status).toBe('REFUND');
    expect(refundedLines(state!.refunds, state!.basis)).toEqual([1, 2]);
    expect(reached.filter((milestone) => milestone === 'refunded')).toHaveLength(1);
    // A refund notified twice (replayed) is counted once.
    expect(fold([complete, line2, line2]).state!.refunds).toHaveLength(1);
  });

  it('counts one refund once per notification identity, however many listeners it arrived through', () => {
    // A 98.00 order; a 60.00 refund of an amount, delivered to two listeners of the account.
    const basis = { lines: [1, 2], total: 98_000 };
    const complete = step('COMPLETE', null, '20261124100000', { basis });
    const refund = step('REFUND', null, '20261201090000', { refund: refundOf([], 60_000), basis: REFUND_LINES });
    const { state } = fold([complete, refund, again(refund)]);
    expect(state!.refunds.map((record) => [record.key, record.amount])).toEqual([[refund.identity, 60_000]]);
    expect(state!.status).toBe('COMPLETE');
    expect(fold([again(refund), complete, refund]).state!.refunds).toEqual(state!.refunds);
  });

  it('refunds only the negative lines, whether the others are sent at 0.00 or at their price', () => {
    const complete = step('COMPLETE');
    for (const other of ['0.00', '49.00']) {
      const refund = stepOf(factsOf({ status: 'REFUND', prices: [other, '-10.00'], total: '-20.00' }), keyed('20261201090000'));
      const { state } = fold([complete, refund]);
      expect(state!.status).toBe('COMPLETE');
      expect(state!.refunds.map((record) => [record.lines, record.amount])).toEqual([[[2], 20_000]]);
      expect(refundedLines(state!.refunds, state!.basis)).toEqual([2]);
      // The purchase arriving after the refund gives the same order.
      expect(comparable(fold([refund, complete]).state)).toEqual(comparable(state));
    }
  });

  it('takes a REFUND without a purchase, and without a negative line, for a refund of its amount only', () => {
    const refund = stepOf(factsOf({ status: 'REFUND', prices: ['49.00', '10.00'], total: '60.00' }), keyed('20261201090000'));
    const { state } = fold([refund]);
    expect(state!.status).not.toBe('REFUND');
    expect(state!.refunds.map((record) => [record.lines, record.amount, record.full])).toEqual([[[], 60_000, false]]);
    // Measured against the purchase once it arrives: 60.00 of 69.00, then 9.00 more.
    const complete = step('COMPLETE');
    expect(fold([refund, complete]).state!.status).toBe('COMPLETE');
    const rest = stepOf(factsOf({ status: 'REFUND', prices: ['49.00', '10.00'], total: '9.00' }), keyed('20261202090000'));
    expect(fold([rest, refund, complete]).state!.status).toBe('REFUND');
    expect(fold([rest, refund]).state!.status).not.toBe('REFUND');
    // A REFUND naming neither a line nor an amount refunds the whole order.
    const whole = stepOf(factsOf({ status: 'REFUND', prices: ['49.00', '10.00'], total: null }), keyed('20261203090000'));
    expect(fold([complete, whole]).state!.status).toBe('REFUND');
  });

  it('re-evaluates refunds when the purchase arrives after them: fully refunded is derived, not accumulated', () => {
    // A REFUND seen first whose lines are all negative looks like a full refund...
    const oneLine = stepOf(factsOf({ status: 'REFUND', prices: ['-49.00'], total: '-49.00' }), keyed('20261201090000'));
    const seen = fold([oneLine]).state!;
    expect(seen.status).toBe('REFUND');
    // ...until the purchase shows the order has a second line: the order stands again.
    const after = mergeStep(seen, step('COMPLETE')).next;
    expect(after.status).toBe('COMPLETE');
    expect(after.milestones.has('refunded')).toBe(false);
    expect(refundedLines(after.refunds, after.basis)).toEqual([1]);
  });

  it('opens a dispute on a chargeback, resolved as the newest chargeback step says', () => {
    const chargeback = (resolution: string, reasonCode: string | null, date: string) =>
      step('COMPLETE', 'APPROVED', date, { chargeback: { resolution, reasonCode } });
    const opened = chargeback('OPEN', 'FRAUD', '20261124110000');
    const won = chargeback('WON', null, '20261124120000');
    const { state } = fold([won, step('COMPLETE'), opened]);
    expect(state!.chargeback).toMatchObject({ resolution: 'WON', reasonCode: 'FRAUD', openedKey: opened.key, resolutionKey: won.key });
    expect(state!.status).toBe('COMPLETE');
  });

  it('reaches the same state whatever the arrival order, duplicates and deliveries to several listeners included', () => {
    // A REFUND's line: refunded (a negative amount, the whole line or part of it), sent at 0.00, or at its price.
    const refundLine = (price: string, most: number) =>
      fc.oneof(
        fc.integer({ min: 1, max: most }).map((cents) => `-${(cents / 100).toFixed(2)}`),
        fc.constant('0.00'),
        fc.constant(price),
      );
    const refundBody = fc.record({
      prices: fc.tuple(refundLine('49.00', 4900), refundLine('10.00', 1000)),
      total: fc.option(
        fc.integer({ min: 1, max: 6900 }).map((cents) => (cents / 100).toFixed(2)),
        { nil: null },
      ),
    });
    const steps = fc.array(
      fc.record({
        status: fc.constantFrom(...STATUSES),
        fraud: fc.constantFrom(...FRAUD),
        date: fc.integer({ min: 0, max: 5 }).map((hour) => `202611241${hour}0000`),
        arrival: fc.integer({ min: 0, max: 3 }),
        refund: refundBody,
        chargeback: fc.option(
          fc.record<ChargebackFacts>({
            resolution: fc.constantFrom('OPEN', 'WON', 'LOST', 'ACCEPTED'),
            reasonCode: fc.constantFrom(null, 'FRAUD', 'UNKNOWN'),
          }),
          { nil: null },
        ),
        // Also delivered through a second listener of the account: arrives later, same identity.
        twice: fc.boolean(),
      }),
      { minLength: 1, maxLength: 8 },
    );
    fc.assert(
      fc.property(steps, fc.array(fc.nat(), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 4 }), (drawn, shuffle, copies) => {
        const keyed = drawn.flatMap((one, i): OrderStep[] => {
          const refund = one.status === 'REFUND';
          const facts = factsOf({
            status: one.status,
            prices: refund ? one.refund.prices : ['49.00', '10.00'],
            total: refund ? one.refund.total : '69.00',
            fraud: one.fraud,
            chargeback: one.chargeback,
            date: one.date,
          });
          const deliveries = one.twice ? [one.arrival, one.arrival + 5] : [one.arrival];
          return deliveries.map((arrival, copy) => {
            const key = `${one.date}|2026-11-24T10:00:0${arrival}.000Z|${String(i).padStart(4, '0')}${copy}`;
            return stepOf(facts, { key, identity: `notification-${i}`, at: `at-${key}` });
          });
        });
        const serial = [...keyed].sort((a, b) => (a.key < b.key ? -1 : 1));
        const arrival = [...keyed];
        shuffle.forEach((j, i) => {
          const a = i % arrival.length;
          const b = j % arrival.length;
          [arrival[a], arrival[b]] = [arrival[b], arrival[a]];
        });
        for (const j of copies) arrival.splice(j % arrival.length, 0, arrival[j % arrival.length]);
        const { state, reached } = fold(arrival);
        expect(comparable(state)).toEqual(comparable(fold(serial).state));
        expect(new Set(reached)).toEqual(new Set(fold(serial).reached));

        // What the refunds say, computed independently from the notifications drawn.
        const refunds = drawn.filter((one) => one.status === 'REFUND').map((one) => one.refund);
        const negative = (refund: (typeof refunds)[number], line: number) => refund.prices[line].startsWith('-');
        const amountOf = (refund: (typeof refunds)[number]) =>
          refund.prices.some((_, line) => negative(refund, line))
            ? refund.prices.reduce((sum, price, line) => sum + (negative(refund, line) ? -Number(price) * (line === 1 ? 2 : 1) : 0), 0)
            : Number(refund.total ?? 0);
        const purchased = drawn.some((one) => one.status !== 'REFUND');
        const full =
          refunds.some((refund) => !refund.prices.some((_, line) => negative(refund, line)) && refund.total === null) ||
          [0, 1].every((line) => refunds.some((refund) => negative(refund, line))) ||
          (purchased && refunds.reduce((sum, refund) => sum + amountOf(refund), 0) >= 69 - 1e-9);
        expect(state!.refunds).toHaveLength(refunds.length);
        expect(state!.milestones.has('refunded')).toBe(full);
        expect(state!.status === 'REFUND').toBe(full);
        const lines = refundedLines(state!.refunds, state!.basis);
        const sentNegative = [1, 2].filter((lineNo) => refunds.some((refund) => negative(refund, lineNo - 1)));
        expect(lines).toEqual(full ? [1, 2] : sentNegative);
      }),
      { numRuns: 2000 },
    );
  });
});
