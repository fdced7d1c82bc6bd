import { createEvent } from '../../../core/events';
import { OrderCompletedEvent } from '../../orders';
import { amqpMessageOf } from './amqp-message';

describe('an event as an AMQP message', () => {
  const event = createEvent(OrderCompletedEvent, {
    orderRef: '123',
    test: false,
    data: {} as never,
    correlationId: 'c0ffee00-0000-4000-8000-000000000000',
  });

  it('is routed by its name, carries the envelope as JSON and says what it is in its properties', () => {
    const message = amqpMessageOf({ ...event, occurredAt: '2026-11-24T10:00:00.999Z' });
    expect(message.routingKey).toBe('order.completed');
    expect(JSON.parse(message.content.toString('utf8'))).toEqual({ ...event, occurredAt: '2026-11-24T10:00:00.999Z' });
    expect(message.options).toEqual({
      messageId: event.eventId,
      type: 'order.completed',
      contentType: 'application/json',
      deliveryMode: 2,
      timestamp: Date.UTC(2026, 10, 24, 10, 0, 0) / 1000,
      correlationId: event.correlationId,
      headers: { version: OrderCompletedEvent.VERSION, orderRef: '123', test: false },
      mandatory: true,
    });
  });

  it('leaves out a correlation id it does not have (AMQP has no null string)', () => {
    expect(amqpMessageOf({ ...event, correlationId: null }).options).not.toHaveProperty('correlationId');
  });
});
