import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OrderCompletedEvent } from '../modules/orders';
import { catalogueTable, eventClasses, readmeWithCatalogue } from './docs-events';

const root = join(__dirname, '..', '..');

describe('the event catalogue in README.md', () => {
  it('is the one generated from the event classes (after changing an event, run npm run docs:events)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toBe(readmeWithCatalogue(readme, catalogueTable(eventClasses(root))));
  });

  it('reads name, version, class, module, data type and doc comment from the classes', () => {
    const completed = eventClasses(root).find((event) => event.className === 'OrderCompletedEvent');
    expect(completed).toMatchObject({
      name: OrderCompletedEvent.NAME,
      version: OrderCompletedEvent.VERSION,
      module: 'orders',
      data: 'OrderSnapshot',
    });
    const names = eventClasses(root).map((event) => event.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(['ipn.received', 'order.placed', 'account.created', 'fulfillment.granted', 'engagement.recorded']),
    );
  });
});
