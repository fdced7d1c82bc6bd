import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { OutboxRelay, OutboxRepository, createEvent } from '../../../core/events';
import { SubscriptionGraceElapsedEvent } from '../contracts/subscription.events';
import type { SubscriptionState } from '../domain/subscription-state';
import { GraceCursor, SubscriptionRepository } from '../persistence/subscription.repository';

const EVERY_MS = 60_000;
/** Subscriptions read per statement. */
const PAGE = 1000;
/** Pages per run: what is left waits a minute for the next. */
const MAX_PAGES = 20;

/**
 * The clock's part of the license lifecycle: 2Checkout sends no LCN when the grace period after an
 * expiry runs out, so once a minute the past-due subscriptions whose grace period is over (their
 * stored grace end passed, found in SQL soonest first, page by page) get a `subscription.grace_elapsed` event, delivered like any other (its consumer expires the subscription,
 * fulfilment ends access, the customer is told). One event per subscription and expiry: its id is
 * derived from them, so a second scan, or another instance, queues nothing more.
 */
@Injectable()
export class GraceExpiryService implements OnApplicationBootstrap, OnApplicationShutdown {
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

  /** Queues the events due as of `now`; returns how many were queued. `pageSize`: rows read per statement. */
  runOnce(now = new Date(), pageSize = PAGE): Promise<number> {
    this.running ??= this.queueDue(now, pageSize).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async queueDue(now: Date, pageSize: number): Promise<number> {
    let queued = 0;
    try {
      let cursor: GraceCursor | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const { states, next } = await this.subscriptions.graceEnded(now, pageSize, cursor);
        const due = states.filter((state) => state.graceEndsAt !== null);
        if (due.length > 0) queued += await this.outbox.enqueue(due.map(elapsedEvent));
        if (queued > 0) this.relay.wake();
        if (!next) break;
        cursor = next;
      }
      return queued;
    } catch (error) {
      this.logger.warn(`Will look again: ${(error as Error).message}`);
      return queued;
    }
  }
}

function elapsedEvent(state: SubscriptionState) {
  const event = createEvent(SubscriptionGraceElapsedEvent, {
    orderRef: null,
    test: state.test,
    data: { licenseRef: state.licenseRef, graceEndedAt: new Date(state.graceEndsAt!).toISOString() },
  });
  return { ...event, eventId: idOf(`${state.licenseRef}|${state.expiresAt}|${state.gracePeriodDays ?? 0}`) };
}

/** A UUID-shaped id derived from `text` (the same text, the same id). */
function idOf(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
