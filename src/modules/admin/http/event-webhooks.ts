import type { OpenAPIObject } from '@nestjs/swagger';
import { EVENT_SCHEMAS, EventSchemas, definitionsUnder } from '../../../core/events';

type Webhooks = NonNullable<OpenAPIObject['webhooks']>;

const HEADERS = [
  {
    name: 'webhook-id',
    description: 'The message id, the same on every retry of it: dedupe on it.',
    schema: { type: 'string' },
  },
  {
    name: 'webhook-timestamp',
    description: 'When it was sent, in Unix seconds: refuse one too far from your clock (a replay).',
    schema: { type: 'integer' },
  },
  {
    name: 'webhook-signature',
    description:
      'Space-separated `v1,<base64>` signatures: HMAC-SHA256 with the endpoint’s secret of `<webhook-id>.<webhook-timestamp>.<body>`. ' +
      'Compare in constant time; during a secret rotation one of them matches.',
    schema: { type: 'string' },
  },
].map((header) => ({ ...header, in: 'header' as const, required: true }));

/**
 * What a webhook endpoint is sent, one webhook per event name (OpenAPI 3.1 `webhooks`): a POST of
 * `{ type, timestamp, data }` whose `data` is the event's envelope (the generated schemas), signed in
 * the webhook-* headers (Standard Webhooks).
 */
export function eventWebhooks(schemas: EventSchemas = EVENT_SCHEMAS): Webhooks {
  return Object.fromEntries(
    schemas['x-events'].map((event) => [
      event.name,
      {
        post: {
          operationId: `webhook:${event.name}`,
          tags: ['webhooks'],
          summary: `${event.name} (version ${event.version})`,
          ...(event.when && { description: event.when }),
          parameters: HEADERS,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['type', 'timestamp', 'data'],
                  properties: {
                    type: { type: 'string', const: event.name, description: 'The event name' },
                    timestamp: { type: 'string', format: 'date-time', description: 'When this message was made (ISO-8601)' },
                    data: { $ref: `#/components/schemas/${event.envelope}` },
                  },
                },
              },
            },
          },
          responses: {
            '2XX': { description: 'Taken: any 2xx answer counts as delivered; anything else (or no answer in time) is retried.' },
          },
        },
      },
    ]),
  ) as Webhooks;
}

/** The generated event schemas among the document's components (a DTO of the same name would be a mistake). */
export function withEventSchemas(document: OpenAPIObject): OpenAPIObject {
  const existing = document.components?.schemas ?? {};
  const generated = definitionsUnder('#/components/schemas/');
  const clash = Object.keys(generated).find((name) => name in existing);
  if (clash) throw new Error(`The event schema ${clash} has the name of a DTO's schema: rename one`);
  return {
    ...document,
    components: { ...document.components, schemas: { ...existing, ...generated } },
    webhooks: eventWebhooks(),
  };
}
