import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OrderCompletedEvent } from '../modules/orders';
import { CATALOGUE_PAGE, catalogueTable, eventClasses, withCatalogue } from './docs-events';

const root = join(__dirname, '..', '..');

describe('the event catalogue in docs/events.md', () => {
  it('is the one generated from the event classes (after changing an event, run npm run docs:events)', () => {
    const page = readFileSync(join(root, CATALOGUE_PAGE), 'utf8');
    expect(page).toBe(withCatalogue(page, catalogueTable(eventClasses(root))));
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
