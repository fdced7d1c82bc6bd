import { Inject } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { ProvidesDeliveryTargets, SendingTarget, exponentialRetry } from '../../../core/delivery';
import { EventFilter } from '../../../core/events';
import { amqpMessageOf } from './amqp-message';
import { AmqpPublisher } from './amqp-publisher';

/** Orders published side by side; each order's events one after the other, each once confirmed. */
const PARALLEL_KEYS = 8;
/** The stage's own limit stays above the publisher's, so the publisher's (which also drops the message from its queue) is the one that fires. */
const MARGIN_MS = 1000;

/**
 * The broker as a target of the delivery stage (`amqp`): every committed event (AMQP_EVENTS) published
 * to the exchange, an order's events in log order, each after the previous one was confirmed. Starts
 * at the events committed after it first ran (`now`): the history is in GET /api/events. Unavailable
 * while the broker is unreachable: its events wait in the log and count no attempts. A message the
 * broker refuses or returns is retried (OUTBOX_BACKOFF_MS doubling, AMQP_MAX_ATTEMPTS) and its order's
 * later events wait behind it. Only where AMQP_URL is set.
 */
@ProvidesDeliveryTargets()
export class AmqpTarget {
  private readonly list: SendingTarget[];

  constructor(publisher: AmqpPublisher, @Inject(APP_CONFIG) config: AppConfig) {
    const amqp = config.amqp;
    this.list = amqp
      ? [
          {
            kind: 'send',
            name: 'amqp',
            channel: 'amqp',
            filter: new EventFilter(amqp.events),
            startAt: 'now',
            available: () => publisher.ready,
            timeoutMs: amqp.confirmTimeoutMs + MARGIN_MS,
            retry: exponentialRetry(config.events.backoffMs, amqp.maxAttempts),
            parallelKeys: PARALLEL_KEYS,
            send: (event) => publisher.publish(amqpMessageOf(event), amqp.confirmTimeoutMs),
          },
        ]
      : [];
  }

  targets(): readonly SendingTarget[] {
    return this.list;
  }
}
