import { KNOWN_EVENTS, unknownPatterns } from './known-events';

describe('known events', () => {
  it('are read from the event classes of the modules', () => {
    for (const name of ['order.completed', 'order.placed', 'fulfillment.granted', 'ipn.received']) expect(KNOWN_EVENTS).toContain(name);
  });

  it('refuse names and prefixes that match no event', () => {
    expect(unknownPatterns(['order.completed', 'fulfillment.*', '*'])).toEqual([]);
    expect(unknownPatterns(['order.complete', 'fulfilment.*', 'order.completed'])).toEqual(['order.complete', 'fulfilment.*']);
  });
});
