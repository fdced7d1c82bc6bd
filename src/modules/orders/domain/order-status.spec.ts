import fc from 'fast-check';
import type { ChargebackFacts } from './chargeback';
import { Milestone, OrderState, OrderStep, isPaymentReversed, mergeStep, rankOf, reachedMilestones } from './order-status';
import { RefundFacts, refundedLines } from './refunds';

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

/** The order the property draws refunds for: line 1, 49.00 x 1; line 2, 10.00 x 2. */
const LINES = [
  { lineNo: 1, amount: 49_000 },
  { lineNo: 2, amount: 20_000 },
];
const refundOf = (lines: number[], total: number | null = null): RefundFacts => ({
  refundedLines: LINES.filter((line) => lines.includes(line.lineNo)),
  lineNos: [1, 2],
  lineTotal: 69_000,
  total,
  currency: 'USD',
});

let counter = 0;
function step(status: string, fraudStatus: string | null = null, date = '20261124100000', extra: Partial<OrderStep> = {}): OrderStep {
  counter += 1;
  const key = `${date}|2026-11-24T10:00:00.000Z|${String(counter).padStart(6, '0')}`;
  return { key, status, fraudStatus, at: `at-${key}`, refund: status === 'REFUND' ? refundOf([]) : null, chargeback: null, ...extra };
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
    expect(refundedLines(partly!.refunds)).toEqual([2]);
    expect(partly!.milestones.has('refunded')).toBe(false);
    const amount = step('REFUND', null, '20261124120000', { refund: refundOf([], 20_000) });
    expect(refundedLines(fold([complete, line2, amount]).state!.refunds)).toEqual([2]);
    const rest = step('REFUND', null, '20261124130000', { refund: refundOf([], 29_000) });
    const { state, reached } = fold([complete, line2, amount, rest]);
    expect(state!.status).toBe('REFUND');
    expect(refundedLines(state!.refunds)).toEqual([1, 2]);
    expect(reached.filter((milestone) => milestone === 'refunded')).toHaveLength(1);
    // A refund notified twice (stored twice, replayed) is counted once.
    expect(fold([complete, line2, line2]).state!.refunds).toHaveLength(1);
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

  it('reaches the same state whatever the arrival order, duplicates included', () => {
    const refunds = fc.oneof(
      fc.constant(refundOf([])),
      fc.subarray([1, 2], { minLength: 1 }).map((lines) => refundOf(lines)),
      fc.integer({ min: 1, max: 68_999 }).map((total) => refundOf([], total)),
    );
    const chargebacks = fc.option(
      fc.record<ChargebackFacts>({
        resolution: fc.constantFrom('OPEN', 'WON', 'LOST', 'ACCEPTED'),
        reasonCode: fc.constantFrom(null, 'FRAUD', 'UNKNOWN'),
      }),
    );
    const steps = fc.array(
      fc.record({
        status: fc.constantFrom(...STATUSES),
        fraud: fc.constantFrom(...FRAUD),
        date: fc.integer({ min: 0, max: 5 }).map((hour) => `202611241${hour}0000`),
        arrival: fc.integer({ min: 0, max: 3 }),
        refund: refunds,
        chargeback: chargebacks,
      }),
      { minLength: 1, maxLength: 8 },
    );
    fc.assert(
      fc.property(steps, fc.array(fc.nat(), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 4 }), (drawn, shuffle, copies) => {
        const keyed = drawn.map((one, i): OrderStep => {
          const key = `${one.date}|2026-11-24T10:00:0${one.arrival}.000Z|${String(i).padStart(4, '0')}`;
          return {
            key,
            status: one.status,
            fraudStatus: one.fraud,
            at: `at-${key}`,
            refund: one.status === 'REFUND' ? one.refund : null,
            chargeback: one.chargeback,
          };
        });
        const serial = [...keyed].sort((a, b) => (a.key < b.key ? -1 : 1));
        const arrival = [...keyed];
        shuffle.forEach((j, i) => {
          const a = i % arrival.length;
          const b = j % arrival.length;
          [arrival[a], arrival[b]] = [arrival[b], arrival[a]];
        });
        for (const j of copies) arrival.splice(j % arrival.length, 0, arrival[j % arrival.length]);
        expect(comparable(fold(arrival).state)).toEqual(comparable(fold(serial).state));
        expect(new Set(fold(arrival).reached)).toEqual(new Set(fold(serial).reached));
      }),
      { numRuns: 2000 },
    );
  });
});
