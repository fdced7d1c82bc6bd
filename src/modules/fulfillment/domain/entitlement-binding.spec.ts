import fc from 'fast-check';
import { Candidate, LineKind, UnboundLine, bindLines } from './entitlement-binding';

const line = (refNo: string, kind: LineKind, licenseRef: string | null = 'L'): UnboundLine => ({ refNo, lineNo: 1, licenseRef, kind });

/** Binds lines one batch at a time, the way the consumer does, and returns which lines share an entitlement. */
function grouping(batches: UnboundLine[][]): string[][] {
  const candidates: Candidate[] = [];
  const members = new Map<string, string[]>();
  let ids = 0;
  for (const batch of batches) {
    for (const { line: bound, entitlementId, created } of bindLines(batch, candidates, () => `e${++ids}`)) {
      members.set(entitlementId, [...(members.get(entitlementId) ?? []), bound.refNo]);
      if (created && bound.licenseRef)
        candidates.push({ id: entitlementId, refNo: bound.refNo, lineNo: 1, licenseRef: bound.licenseRef, bought: false });
      const candidate = candidates.find((one) => one.id === entitlementId);
      if (candidate && bound.kind === 'new') candidate.bought = true;
    }
  }
  return [...members.values()].map((refNos) => refNos.sort()).sort();
}

describe('entitlement binding', () => {
  it('adds renewals and upgrades to the entitlement the license was bought with', () => {
    expect(grouping([[line('1', 'new')], [line('2', 'renewal')], [line('3', 'upgrade')]])).toEqual([['1', '2', '3']]);
  });

  it('lets the purchase adopt the entitlement a renewal seen first created', () => {
    expect(grouping([[line('2', 'renewal')], [line('1', 'new')], [line('3', 'renewal')]])).toEqual([['1', '2', '3']]);
  });

  it('keeps two purchases of one license reference apart, and lines without a license on their own', () => {
    expect(
      grouping([
        [line('1', 'new'), line('2', 'new')],
        [line('3', 'new', null), line('4', 'new', null)],
      ]),
    ).toEqual([['1'], ['2'], ['3'], ['4']]);
  });

  it('groups a purchase and its renewals the same whatever the arrival order and batching', () => {
    const lines = [line('10', 'new'), line('11', 'renewal'), line('12', 'renewal'), line('13', 'upgrade')];
    fc.assert(
      fc.property(
        fc.shuffledSubarray(lines, { minLength: 4, maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        (order, cuts) => {
          const batches: UnboundLine[][] = [];
          order.forEach((one, i) => (cuts[i] || batches.length === 0 ? batches.push([one]) : batches.at(-1)!.push(one)));
          expect(grouping(batches)).toEqual([['10', '11', '12', '13']]);
        },
      ),
    );
  });
});
