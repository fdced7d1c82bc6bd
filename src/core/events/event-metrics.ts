import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { AlertsService, MetricsRegistry, Sampled } from '../observability';
import { OutboxRepository } from './persistence/outbox.repository';

export interface Backlog {
  pending: number;
  oldestPendingSeconds: number;
  dead: number;
}

/** A scrape (or an alert evaluation) within this long of the last sample reuses it. */
const SAMPLE_TTL_MS = 1000;
/** A sample that takes longer (the database unreachable) leaves the last values in place. */
const SAMPLE_TIMEOUT_MS = 2000;

/**
 * The outbox seen from outside: `events_pending`, `events_oldest_pending_age_seconds`,
 * `events_dead_letters` (OutboxRepository.backlog(), sampled when scraped, at most once a second), and
 * `consumer_failures_total{consumer}` (each failed delivery of an event, by the consumer that threw).
 * Registers the dead-letter and oldest-pending alerts where this process delivers events.
 */
@Injectable()
export class EventMetrics implements OnModuleInit {
  private readonly logger = new Logger('EventMetrics');
  private readonly failures: Counter<'consumer'>;
  private readonly backlog: Sampled<Backlog>;

  constructor(
    private readonly registry: MetricsRegistry,
    outbox: OutboxRepository,
    private readonly alerts: AlertsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.backlog = new Sampled(
      () => outbox.backlog(),
      SAMPLE_TTL_MS,
      SAMPLE_TIMEOUT_MS,
      (error) => this.logger.debug(`Backlog not sampled, the last values stand: ${error.message}`),
    );
    this.failures = new Counter({
      name: 'consumer_failures_total',
      help: 'Failed deliveries of an event, by the consumer that failed (relay: outside any consumer)',
      labelNames: ['consumer'],
      registers: [registry],
    });
    const gauge = (name: string, help: string, pick: (backlog: Backlog) => number): void => {
      const sample = () => this.sample();
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          const backlog = await sample();
          if (backlog) this.set(pick(backlog));
        },
      });
    };
    gauge('events_pending', 'Outbox events waiting for delivery (due or backing off)', (backlog) => backlog.pending);
    gauge(
      'events_oldest_pending_age_seconds',
      'Age of the oldest pending outbox event; 0 when none',
      (backlog) => backlog.oldestPendingSeconds,
    );
    gauge('events_dead_letters', 'Events whose delivery was given up (listed by GET /api/events/dead-letters)', (backlog) => backlog.dead);
  }

  onModuleInit(): void {
    if (!this.config.events.relay) return; // The queue is shared: the delivering processes watch it.
    const { deadLetters, oldestPendingSeconds } = this.config.observability.alerts;
    this.alerts.register({
      name: 'dead_letters',
      threshold: deadLetters,
      describe: 'The number of dead-lettered events',
      unit: 'events',
      read: async () => (await this.sample())?.dead,
    });
    this.alerts.register({
      name: 'oldest_pending',
      threshold: oldestPendingSeconds,
      describe: 'The age of the oldest pending event',
      unit: 's',
      read: async () => (await this.sample())?.oldestPendingSeconds,
    });
  }

  /** A failed delivery, attributed to `consumer` (see consumerOf). */
  consumerFailed(consumer: string): void {
    this.failures.inc({ consumer });
  }

  /** The backlog, at most SAMPLE_TTL_MS old; undefined when it could not be read yet. */
  sample(): Promise<Backlog | undefined> {
    return this.backlog.get();
  }
}
