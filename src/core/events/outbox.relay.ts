import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2, EventEmitterReadinessWatcher } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import type { DomainEvent } from './domain-event';

interface ClaimedEvent {
  id: string;
  payload: DomainEvent;
  attempts: number;
}

const BATCH_SIZE = 32;
/**
 * Deliveries in flight at once. Each opens consumer transactions; more would take the pool's
 * connections away from ingestion, which must stay fast (the platform waits for its receipt).
 */
const PARALLEL_DELIVERIES = 4;
/** A claimed event not settled within this time (the process died) is claimed again. */
const LEASE_SECONDS = 60;
const MAX_BACKOFF_MS = 60 * 60 * 1000;

const CLAIM = `
  UPDATE outbox_event SET attempts = attempts + 1, next_attempt_at = now() + interval '${LEASE_SECONDS} seconds'
  WHERE id IN (
    SELECT id FROM outbox_event WHERE status = 'pending' AND next_attempt_at <= now()
    ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
  RETURNING id, payload, attempts`;

/**
 * Delivers committed outbox events through @nestjs/event-emitter, at least once. A delivery fails when
 * any listener throws (house listeners do not swallow errors); it is retried with exponential backoff
 * and dead-lettered after the configured number of attempts. Events left by a crash are picked up by
 * the next start: the outbox, not memory, is the queue.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  private running = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly emitter: EventEmitter2,
    private readonly readiness: EventEmitterReadinessWatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.events.relay) return;
    // Listeners are attached during bootstrap; anything emitted before that would be lost. Not awaited:
    // the emitter's own bootstrap hook may run after this one, and it is what makes it ready.
    void this.readiness.waitUntilReady().then(() => {
      if (this.stopped) return;
      this.running = true;
      this.timer = setInterval(() => this.wake(), this.config.events.pollMs);
      this.wake();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.running = false;
    clearInterval(this.timer);
    await this.draining;
  }

  /** Asks for a delivery round now (after a commit) rather than at the next poll. */
  wake(): void {
    if (!this.running) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.drainAgain) {
        this.drainAgain = false;
        this.wake();
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.running) {
        const [batch]: [ClaimedEvent[], number] = await this.dataSource.query(CLAIM, [BATCH_SIZE]);
        if (batch.length === 0) return;
        for (let i = 0; i < batch.length; i += PARALLEL_DELIVERIES) {
          await Promise.all(batch.slice(i, i + PARALLEL_DELIVERIES).map((event) => this.deliver(event)));
        }
      }
    } catch (error) {
      this.logger.warn(`Delivery round stopped, will retry: ${(error as Error).message}`);
    }
  }

  private async deliver(event: ClaimedEvent): Promise<void> {
    try {
      await this.emitter.emitAsync(event.payload.name, event.payload);
      await this.dataSource.query(
        `UPDATE outbox_event SET status = 'delivered', delivered_at = now(), last_error = NULL WHERE id = $1`,
        [event.id],
      );
    } catch (error) {
      await this.recordFailure(event, error as Error);
    }
  }

  private async recordFailure(event: ClaimedEvent, error: Error): Promise<void> {
    const { maxAttempts, backoffMs } = this.config.events;
    const dead = event.attempts >= maxAttempts;
    const delayMs = Math.min(backoffMs * 2 ** (event.attempts - 1), MAX_BACKOFF_MS);
    this.logger.warn(
      `${event.payload.name} ${event.id} failed (attempt ${event.attempts}/${maxAttempts})` +
        `${dead ? ', dead-lettered' : `, retry in ${delayMs} ms`}: ${error.message}`,
    );
    await this.dataSource.query(
      `UPDATE outbox_event
       SET status = $2, last_error = $3, next_attempt_at = now() + $4 * interval '1 millisecond'
       WHERE id = $1`,
      [event.id, dead ? 'dead' : 'pending', error.message.slice(0, 2000), delayMs],
    );
  }
}
