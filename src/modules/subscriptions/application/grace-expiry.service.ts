import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { OutboxRelay, OutboxRepository, createEvent } from '../../../core/events';
import { SubscriptionGraceElapsedEvent } from '../contracts/subscription.events';
import { SubscriptionState, graceEnd } from '../domain/subscription-state';
import { SubscriptionRepository } from '../persistence/subscription.repository';

const EVERY_MS = 60_000;
const SCAN = 1000;

/**
 * The clock's part of the licence lifecycle: 2Checkout sends no LCN when the grace period after an
 * expiry runs out, so once a minute the past-due subscriptions whose grace period is over get a
 * `subscription.grace_elapsed` event, delivered like any other (its consumer expires the subscription,
 * fulfilment ends access, the customer is told). One event per subscription and expiry: its id is
 * derived from them, so a second scan, or another instance, queues nothing more.
 */
@Injectable()
export class GraceExpiry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('GraceExpiry');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.events.relay) return;
    this.timer = setInterval(() => void this.runOnce(), EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Queues the events due as of `now`; returns how many were queued. */
  runOnce(now = new Date()): Promise<number> {
    this.running ??= this.queueDue(now.getTime()).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async queueDue(now: number): Promise<number> {
    try {
      const due = (await this.subscriptions.pastDue(SCAN)).filter((state) => (graceEnd(state) ?? Infinity) <= now);
      const queued = await this.outbox.enqueue(due.map(elapsedEvent));
      if (queued > 0) this.relay.wake();
      return queued;
    } catch (error) {
      this.logger.warn(`Will look again: ${(error as Error).message}`);
      return 0;
    }
  }
}

function elapsedEvent(state: SubscriptionState) {
  const event = createEvent(SubscriptionGraceElapsedEvent, {
    orderRef: null,
    test: state.test,
    data: { licenseRef: state.licenseRef, graceEndedAt: new Date(graceEnd(state)!).toISOString() },
  });
  return { ...event, eventId: idOf(`${state.licenseRef}|${state.expiresAt}|${state.gracePeriodDays ?? 0}`) };
}

/** A UUID-shaped id derived from `text` (the same text, the same id). */
function idOf(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
