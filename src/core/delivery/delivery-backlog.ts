import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { EventLogRepository } from '../events';
import { AlertsService, MetricsRegistry, Sampled } from '../observability';
import { DeliveryStage } from './delivery-stage';
import { DeliveryRepository } from './persistence/delivery.repository';

/** Per channel: what waits (items pending, and matching events beyond each target's position), its age, dead items. */
export interface ChannelBacklog {
  channel: string;
  pending: number;
  oldestSeconds: number;
  dead: number;
}

/** Events counted beyond a target's position, at most (a bound on what one sample costs). */
const LAG_CAP = 10_000;

/**
 * The delivery stage seen from outside: `deliveries_pending{channel}`, `deliveries_oldest_age_seconds`,
 * `deliveries_dead` (sampled when scraped, at most every 5 s), shown on the console, and the
 * `deliveries_oldest_pending` alert (ALERT_OLDEST_PENDING_SECONDS) where this process delivers.
 */
@Injectable()
export class DeliveryBacklog implements OnModuleInit {
  private readonly logger = new Logger('DeliveryBacklog');
  private readonly sampled: Sampled<ChannelBacklog[]>;

  constructor(
    private readonly stage: DeliveryStage,
    private readonly deliveries: DeliveryRepository,
    private readonly log: EventLogRepository,
    private readonly alerts: AlertsService,
    registry: MetricsRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.sampled = new Sampled(
      () => this.read(),
      5000,
      3000,
      (error) => this.logger.debug(`Not sampled: ${error.message}`),
    );
    const gauge = (name: string, help: string, pick: (backlog: ChannelBacklog) => number): void => {
      const sample = () => this.sampled.get();
      new Gauge({
        name,
        help,
        labelNames: ['channel'],
        registers: [registry],
        async collect() {
          for (const backlog of (await sample()) ?? []) this.set({ channel: backlog.channel }, pick(backlog));
        },
      });
    };
    gauge(
      'deliveries_pending',
      'Events waiting for a delivery target (its items, and the log beyond its position), per channel',
      (b) => b.pending,
    );
    gauge(
      'deliveries_oldest_age_seconds',
      'Age of the oldest event waiting for a target of the channel; 0 when none',
      (b) => b.oldestSeconds,
    );
    gauge('deliveries_dead', 'Delivery items given up after their last attempt (GET /api/deliveries?status=dead)', (b) => b.dead);
  }

  onModuleInit(): void {
    if (!this.config.events.relay) return;
    this.alerts.register({
      name: 'deliveries_oldest_pending',
      threshold: this.config.observability.alerts.oldestPendingSeconds,
      describe: 'The age of the oldest event waiting for a delivery target (mail, subscriber, webhook, broker)',
      unit: 's',
      read: async () => {
        const backlog = await this.sampled.get();
        return backlog && Math.max(0, ...backlog.map((channel) => channel.oldestSeconds));
      },
    });
  }

  get(): Promise<ChannelBacklog[] | undefined> {
    return this.sampled.get();
  }

  private async read(): Promise<ChannelBacklog[]> {
    const { items, targets } = await this.deliveries.backlog();
    const known = this.stage.targets();
    const byChannel = new Map<string, ChannelBacklog>();
    const of = (channel: string) => {
      const backlog = byChannel.get(channel) ?? { channel, pending: 0, oldestSeconds: 0, dead: 0 };
      byChannel.set(channel, backlog);
      return backlog;
    };
    for (const item of items)
      Object.assign(of(item.channel), { pending: item.pending, dead: item.dead, oldestSeconds: item.oldestSeconds });
    for (const target of targets) {
      const filter = known.get(target.name)?.filter;
      if (!filter) continue; // not served by this build (a removed subscriber)
      const lag = await this.log.lag(target.position, filter, LAG_CAP);
      const backlog = of(target.channel);
      backlog.pending += lag.count;
      backlog.oldestSeconds = Math.max(backlog.oldestSeconds, lag.oldestSeconds);
    }
    return [...byChannel.values()];
  }
}
