import type { Options } from 'amqplib';
import type { DomainEvent } from '../../../core/events';

/** An event as the broker gets it. */
export interface AmqpMessage {
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish & { readonly messageId: string };
}

/**
 * One event as one message: routing key the event name, body the envelope as GET /api/events gives it,
 * properties for consumers that route or dedupe without parsing the body (messageId = event id).
 * Persistent, and mandatory: a message no queue takes comes back to us rather than vanishing.
 */
export function amqpMessageOf(event: DomainEvent): AmqpMessage {
  return {
    routingKey: event.name,
    content: Buffer.from(JSON.stringify(event), 'utf8'),
    options: {
      messageId: event.eventId,
      type: event.name,
      contentType: 'application/json',
      deliveryMode: 2,
      // AMQP timestamps are whole seconds.
      timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
      ...(event.correlationId !== null && { correlationId: event.correlationId }),
      headers: { version: event.version, orderRef: event.orderRef, test: event.test },
      mandatory: true,
    },
  };
}
