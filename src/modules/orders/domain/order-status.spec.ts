import fc from 'fast-check';
import { Milestone, OrderState, applyStatus, rankOf } from './order-status';

const LIFECYCLE = ['PENDING', 'PENDING_APPROVAL', 'PAYMENT_AUTHORIZED', 'PENDING_ORDER_APPROVAL', 'COMPLETE', 'REFUND'];

function run(statuses: string[], fraud: Array<string | null> = []): { state: OrderState | null; reached: Milestone[] } {
  let state: OrderState | null = null;
  const reached: Milestone[] = [];
  statuses.forEach((status, i) => {
    const change = applyStatus(state, status, fraud[i] ?? null);
    state = change.next;
    reached.push(...change.reached);
  });
  return { state, reached };
}

describe('order state machine', () => {
  it('walks the normal lifecycle, each milestone once', () => {
    const { state, reached } = run(['PENDING', 'PAYMENT_AUTHORIZED', 'COMPLETE', 'REFUND']);
    expect(state!.status).toBe('REFUND');
    expect(reached).toEqual(['placed', 'paymentAuthorized', 'completed', 'refunded']);
  });

  it('records but does not apply a late PENDING after COMPLETE', () => {
    const complete = run(['COMPLETE']).state;
    const late = applyStatus(complete, 'PENDING', null);
    expect(late.applied).toBe(false);
    expect(late.next.status).toBe('COMPLETE');
    expect(late.reached).toEqual([]);
  });

  it('implies the milestones a first COMPLETE stands for', () => {
    expect(applyStatus(null, 'COMPLETE', null).reached).toEqual(['placed', 'paymentAuthorized', 'completed']);
  });

  it('treats an unknown status as recorded but inert', () => {
    const pending = run(['PENDING']).state;
    const odd = applyStatus(pending, 'SOMETHING_NEW', null);
    expect(odd).toMatchObject({ applied: false, reached: [], next: { status: 'PENDING' } });
    expect(applyStatus(null, 'SOMETHING_NEW', null)).toMatchObject({ applied: false, reached: ['placed'], next: { status: null } });
  });

  it('treats legacy AUTHRECEIVED like PAYMENT_AUTHORIZED and SUSPECT as a fraud flag', () => {
    expect(applyStatus(null, 'AUTHRECEIVED', null).reached).toContain('paymentAuthorized');
    const suspect = applyStatus(run(['PENDING']).state, 'SUSPECT', null);
    expect(suspect).toMatchObject({ applied: false, fraud: 'flagged', next: { status: 'PENDING', fraudStatus: 'SUSPECT' } });
  });

  it('flags and clears fraud, and ignores the fraud status of a stale message', () => {
    const review = applyStatus(null, 'PAYMENT_AUTHORIZED', 'UNDER REVIEW');
    expect(review.fraud).toBe('flagged');
    const approved = applyStatus(review.next, 'COMPLETE', 'APPROVED');
    expect(approved.fraud).toBe('cleared');
    const stale = applyStatus(approved.next, 'PENDING', 'UNDER REVIEW');
    expect(stale).toMatchObject({ fraud: null, next: { fraudStatus: 'APPROVED' } });
  });

  it('never regresses and emits each milestone at most once, whatever the arrival order and repeats', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...LIFECYCLE, 'CANCELED', 'REVERSED', 'UNKNOWN'), { minLength: 1, maxLength: 12 }), (statuses) => {
        const { state, reached } = run(statuses);
        expect(new Set(reached).size).toBe(reached.length);
        // The order ends at the highest rank received: nothing later moved it back.
        const known = statuses.filter((status) => status !== 'UNKNOWN');
        expect(rankOf(state!.status)).toBe(Math.max(-1, ...known.map(rankOf)));
        const again = run([...statuses, ...statuses]);
        expect(again.reached).toEqual(reached);
        expect([...again.state!.milestones]).toEqual([...state!.milestones]);
      }),
    );
  });
});
