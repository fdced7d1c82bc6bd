import fc from 'fast-check';
import { Milestone, OrderState, OrderStep, mergeStep, rankOf, reachedMilestones } from './order-status';

const STATUSES = ['PENDING', 'PENDING_APPROVAL', 'PAYMENT_AUTHORIZED', 'PAYMENT_RECEIVED', 'PENDING_ORDER_APPROVAL', 'COMPLETE',
  'CANCELED', 'REVERSED', 'REFUND', 'SUSPECT', 'SOMETHING_NEW'];
const FRAUD = [null, 'APPROVED', 'DENIED', 'UNDER REVIEW', 'PENDING'];

let counter = 0;
function step(status: string, fraudStatus: string | null = null, date = '20261124100000'): OrderStep {
  counter += 1;
  return { key: `${date}|2026-11-24T10:00:00.000Z|${String(counter).padStart(6, '0')}`, status, fraudStatus };
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

  it('reaches the same state whatever the arrival order, duplicates included', () => {
    const steps = fc.array(
      fc.record({
        status: fc.constantFrom(...STATUSES),
        fraud: fc.constantFrom(...FRAUD),
        date: fc.integer({ min: 0, max: 5 }).map((hour) => `202611241${hour}0000`),
        arrival: fc.integer({ min: 0, max: 3 }),
      }),
      { minLength: 1, maxLength: 8 },
    );
    fc.assert(
      fc.property(steps, fc.array(fc.nat(), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 4 }), (drawn, shuffle, copies) => {
        const keyed = drawn.map((one, i): OrderStep => ({
          key: `${one.date}|2026-11-24T10:00:0${one.arrival}.000Z|${String(i).padStart(4, '0')}`,
          status: one.status,
          fraudStatus: one.fraud,
        }));
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
