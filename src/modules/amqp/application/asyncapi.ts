import { EventSchemas, definitionsUnder } from '../../../core/events';

const AMQP_BINDING = '0.3.0';

/**
 * The exchange as an AsyncAPI 3.0 document: one channel per event name (its routing key) on the topic
 * exchange, one message each whose payload is the event's envelope schema (the generated ones), with
 * the properties and headers amqpMessageOf sets; our one operation per channel is `send`.
 */
export function asyncApiDocument(schemas: EventSchemas, exchange: string): Record<string, unknown> {
  const events = schemas['x-events'];
  const channelBinding = {
    amqp: { is: 'routingKey', exchange: { name: exchange, type: 'topic', durable: true, autoDelete: false }, bindingVersion: AMQP_BINDING },
  };
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'IPN backend: domain events on RabbitMQ',
      version: '1',
      description:
        `Every committed domain event, published once the broker confirmed it (publisher confirms) to the durable topic exchange ` +
        `\`${exchange}\` (AMQP_EXCHANGE), routing key = event name. At least once: dedupe on messageId (the event id). ` +
        `An order's events arrive in their order (one after the other, each once confirmed). Bind a queue with a pattern ` +
        `such as \`order.*\` or \`#\`. The body is the envelope as GET /api/events gives it.`,
    },
    defaultContentType: 'application/json',
    channels: Object.fromEntries(
      events.map((event) => [
        event.name,
        {
          address: event.name,
          title: event.name,
          ...(event.when && { description: event.when }),
          messages: { [event.name]: { $ref: `#/components/messages/${event.name}` } },
          bindings: channelBinding,
        },
      ]),
    ),
    operations: Object.fromEntries(
      events.map((event) => [
        `publish.${event.name}`,
        {
          action: 'send',
          channel: { $ref: `#/channels/${event.name}` },
          messages: [{ $ref: `#/channels/${event.name}/messages/${event.name}` }],
          bindings: { amqp: { deliveryMode: 2, mandatory: true, timestamp: true, bindingVersion: AMQP_BINDING } },
        },
      ]),
    ),
    components: {
      messages: Object.fromEntries(
        events.map((event) => [
          event.name,
          {
            name: event.name,
            title: `${event.name} (version ${event.version})`,
            ...(event.when && { summary: event.when }),
            contentType: 'application/json',
            headers: { $ref: '#/components/schemas/AmqpHeaders' },
            payload: { $ref: `#/components/schemas/${event.envelope}` },
            correlationId: { $ref: '#/components/correlationIds/notification' },
            bindings: { amqp: { messageType: event.name, bindingVersion: AMQP_BINDING } },
          },
        ]),
      ),
      correlationIds: {
        notification: {
          description: 'The stored notification (IPN or LCN) that started the chain: also the AMQP correlationId property.',
          location: '$message.payload#/correlationId',
        },
      },
      schemas: {
        AmqpHeaders: {
          type: 'object',
          description:
            'AMQP headers. The properties say the rest: messageId = eventId, type = event name, contentType application/json, ' +
            'deliveryMode 2 (persistent), timestamp = occurredAt in seconds, correlationId = the envelope’s (when it has one).',
          properties: {
            version: { type: 'integer', description: 'The event’s version (a breaking change of data is a new version)' },
            orderRef: { type: ['string', 'null'], description: 'The 2Checkout order reference (REFNO), when there is one' },
            test: { type: 'boolean', description: 'True for 2Checkout TEST orders' },
          },
          required: ['version', 'orderRef', 'test'],
        },
        ...definitionsUnder('#/components/schemas/', schemas),
      },
    },
  };
}
