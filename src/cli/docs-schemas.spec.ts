import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_SCHEMAS } from '../core/events';
import { eventWebhooks } from '../modules/admin/http/event-webhooks';
import { asyncApiDocument } from '../modules/amqp';
import { eventClasses } from './docs-events';
import { generatedFiles } from './docs-schemas';

const root = join(__dirname, '..', '..');

describe('the generated event schemas', () => {
  // Generated afresh from the sources (about 4 s): a changed payload type fails here until regenerated.
  const files = generatedFiles(root);

  it.each(Object.keys(files))(
    '%s is the one generated from the event classes (after changing an event, run npm run docs:schemas)',
    (file) => {
      expect(readFileSync(join(root, file), 'utf8')).toBe(files[file]);
    },
  );

  it('describe every event class: its envelope, its data, its name and version as constants', () => {
    const classes = eventClasses(root);
    expect(EVENT_SCHEMAS['x-events'].map((event) => event.name)).toEqual(classes.map((event) => event.name));
    for (const event of classes) {
      const envelope = EVENT_SCHEMAS.definitions[event.className] as any;
      expect(envelope.properties.name).toEqual({ type: 'string', const: event.name });
      expect(envelope.properties.version).toEqual({ type: 'number', const: event.version });
      expect(envelope.properties.data).toEqual({ $ref: `#/definitions/${event.className}Data` });
      expect(envelope.required).toEqual(expect.arrayContaining(['eventId', 'name', 'occurredAt', 'orderRef', 'data']));
      expect(EVENT_SCHEMAS.definitions[`${event.className}Data`]).toBeDefined();
    }
    const completed = EVENT_SCHEMAS.definitions.OrderSnapshot as any;
    expect(completed.properties.refNo).toEqual(expect.objectContaining({ type: 'string' }));
    // Payloads grow by addition: a consumer validating with these schemas keeps working.
    expect(JSON.stringify(EVENT_SCHEMAS)).not.toContain('"additionalProperties":false');
  });

  it('are in the OpenAPI webhooks and the AsyncAPI channels, one per event, every $ref resolving', () => {
    const names = eventClasses(root).map((event) => event.name);
    const webhooks = eventWebhooks();
    expect(Object.keys(webhooks)).toEqual(names);
    const asyncApi = asyncApiDocument(EVENT_SCHEMAS, 'shop.events') as any;
    expect(Object.keys(asyncApi.channels)).toEqual(names);
    for (const name of names)
      expect(asyncApi.channels[name].bindings.amqp.exchange).toMatchObject({ name: 'shop.events', type: 'topic', durable: true });
    const refs = JSON.stringify(asyncApi).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of new Set(refs)) {
      const path = JSON.parse(`{${ref}}`).$ref.slice(2).split('/');
      expect({ ref, found: path.reduce((at: any, key: string) => at?.[key], asyncApi) !== undefined }).toEqual({ ref, found: true });
    }
  });
});
