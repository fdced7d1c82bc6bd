import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '../observability';

/** What the delivery stage counts as it goes: deliveries and failed attempts, per channel. */
@Injectable()
export class DeliveryMetrics {
  private readonly deliveries: Counter<'channel'>;
  private readonly failures: Counter<'channel'>;

  constructor(registry: MetricsRegistry) {
    this.deliveries = new Counter({
      name: 'deliveries_total',
      help: 'Events delivered by the delivery stage, per channel (mail, subscriber, webhook, amqp)',
      labelNames: ['channel'],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'delivery_failures_total',
      help: 'Failed delivery attempts, per channel',
      labelNames: ['channel'],
      registers: [registry],
    });
  }

  delivered(channel: string, count: number): void {
    if (count > 0) this.deliveries.inc({ channel }, count);
  }

  failed(channel: string): void {
    this.failures.inc({ channel });
  }
}
