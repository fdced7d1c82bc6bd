import fc from 'fast-check';
import { inConsumerOrder } from './consumer-order';

const chain = [
  { name: 'orders.apply-ipn', after: [] },
  { name: 'accounts.link', after: ['orders.apply-ipn'] },
  { name: 'subscriptions.link', after: ['accounts.link'] },
  { name: 'fulfillment.reconcile', after: ['subscriptions.link', 'accounts.link'] },
  { name: 'engagement.message', after: ['fulfillment.reconcile'] },
  { name: 'crm.extension', after: [] },
];

describe('inConsumerOrder', () => {
  it('puts each consumer after those it names, whatever order they were found in (module imports)', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(chain, { minLength: chain.length }), (found) => {
        const names = inConsumerOrder(found).map((consumer) => consumer.name);
        expect(names).toEqual(inConsumerOrder(chain).map((consumer) => consumer.name));
        for (const consumer of chain) {
          for (const before of consumer.after) expect(names.indexOf(before)).toBeLessThan(names.indexOf(consumer.name));
        }
      }),
    );
  });

  it('breaks ties by name', () => {
    expect(
      inConsumerOrder([
        { name: 'b', after: [] },
        { name: 'a', after: [] },
        { name: 'c', after: ['b'] },
      ]).map((c) => c.name),
    ).toEqual(['a', 'b', 'c']);
  });

  it('refuses an after that names no consumer, and a circle', () => {
    expect(() => inConsumerOrder([{ name: 'a', after: ['nobody'] }])).toThrow(
      'Consumer "a" runs after "nobody", which is no consumer of this app',
    );
    expect(() =>
      inConsumerOrder([
        { name: 'a', after: ['b'] },
        { name: 'b', after: ['a'] },
        { name: 'c', after: [] },
      ]),
    ).toThrow('Consumers run after one another in a circle: a, b');
  });
});
