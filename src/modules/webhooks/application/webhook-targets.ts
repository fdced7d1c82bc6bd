import { Inject, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { DeliveriesService, DeliveryFailure, ProvidesDeliveryTargets, SendingTarget, scheduledRetry } from '../../../core/delivery';
import { EventFilter } from '../../../core/events';
import { AlertsService } from '../../../core/observability';
import { WebhookEndpoint, targetName } from '../domain/webhook-endpoint';
import { WebhookEndpointRepository } from '../persistence/webhook-endpoint.repository';
import { WebhookDelivery } from './webhook-delivery';

/** The endpoints are read again at most this often (when their version changed). */
const REFRESH_MS = 1000;
/** Keys of one endpoint delivered at once: an order's events stay in order, eight orders side by side. */
const PARALLEL_KEYS = 8;
/** Why a disabled endpoint's undelivered events are given up (see the docs: skipped while disabled). */
export const SKIPPED = 'skipped: the webhook endpoint is disabled (replay to send again)';

/**
 * Every enabled webhook endpoint as a target of the delivery stage (`webhook:<id>`, channel `webhook`,
 * from now on). The stage asks at every poll; the answer is the endpoints as last read, read again when
 * their version (max revision and count) changed, at most every second, so a change made by any instance
 * reaches every instance within a second or so. A disabled endpoint is no target: nothing is sent to it,
 * and what it had not delivered is skipped (given up as dead items, which replay or a retry can send
 * again). Also raises the `webhook_endpoints_disabled` alert for endpoints disabled after failing.
 */
@ProvidesDeliveryTargets()
export class WebhookTargets implements OnModuleInit {
  private readonly logger = new Logger('Webhooks');
  private endpoints = new Map<string, WebhookEndpoint>();
  private list: SendingTarget[] = [];
  private version: string | undefined;
  private refreshedAt = 0;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly repository: WebhookEndpointRepository,
    private readonly delivery: WebhookDelivery,
    private readonly deliveries: DeliveriesService,
    private readonly alerts: AlertsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.events.relay) {
      this.alerts.register({
        name: 'webhook_endpoints_disabled',
        threshold: 1,
        describe: 'The number of webhook endpoints disabled after failing for WEBHOOK_DISABLE_AFTER',
        unit: 'endpoints',
        read: () => this.repository.countDisabledByFailures(),
      });
    }
    await this.refresh().catch((error: Error) => this.logger.warn(`Webhook endpoints not read yet: ${error.message}`));
  }

  targets(): readonly SendingTarget[] {
    if (Date.now() - this.refreshedAt >= REFRESH_MS) void this.refresh().catch((error: Error) => this.logger.debug(error.message));
    return this.list;
  }

  /** Reads the endpoints again if they changed; `force`: now, whatever the version (after a change made here). */
  refresh(force = false): Promise<void> {
    if (this.refreshing && !force) return this.refreshing;
    const run: Promise<void> = (this.refreshing ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.read(force))
      .finally(() => {
        if (this.refreshing === run) this.refreshing = undefined;
      });
    this.refreshing = run;
    return run;
  }

  private async read(force: boolean): Promise<void> {
    this.refreshedAt = Date.now();
    const version = await this.repository.version();
    if (force || version !== this.version) {
      const endpoints = await this.repository.list();
      this.endpoints = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
      this.list = endpoints.filter((endpoint) => endpoint.status === 'enabled').map((endpoint) => this.targetOf(endpoint));
      this.version = version;
    }
    if (this.config.events.relay) await this.sweepRecentlyDisabled();
  }

  /**
   * A window being delivered when its endpoint was disabled leaves items behind (the stage records what
   * it did not send): given up too, for a while after the disabling (a window ends within its lease).
   */
  private async sweepRecentlyDisabled(): Promise<void> {
    const since = Date.now() - 2 * this.config.delivery.leaseMs;
    for (const endpoint of this.endpoints.values()) {
      if (endpoint.status === 'disabled' && endpoint.disabledAt && endpoint.disabledAt.getTime() >= since) {
        await this.deliveries.giveUp(targetName(endpoint.id), SKIPPED);
      }
    }
  }

  private targetOf(endpoint: WebhookEndpoint): SendingTarget {
    const { timeoutMs, retryScheduleMs } = this.config.webhooks;
    return {
      kind: 'send',
      name: targetName(endpoint.id),
      channel: 'webhook',
      filter: new EventFilter(endpoint.events),
      startAt: 'now',
      // The request's own limit (WEBHOOK_TIMEOUT_MS) comes first, so its attempt is recorded as such.
      timeoutMs: timeoutMs + 2000,
      retry: scheduledRetry(retryScheduleMs),
      parallelKeys: PARALLEL_KEYS,
      send: async (event, context) => {
        // The endpoint as it stands now (a rotated secret, a new URL, disabled since this window began).
        const current = this.endpoints.get(endpoint.id);
        if (current?.status !== 'enabled') throw new DeliveryFailure('the webhook endpoint is disabled', { targetStopped: true });
        await this.delivery.deliver(current, event, context, () => void this.refresh(true).catch(() => undefined));
      },
    };
  }
}
