import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2, EventEmitterReadinessWatcher } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { BatchConsumers } from './batch-consumers';
import type { DomainEvent } from './domain-event';

interface ClaimedEvent {
  id: string;
  payload: DomainEvent;
  attempts: number;
}

const BATCH_SIZE = 128;
/**
 * Batches delivered at once: while one lane waits for the database, the other works. Measured (see
 * README): 4 lanes keep up with the same lag but claim smaller batches, and the CPU they take costs
 * ingestion about 15%; 1 lane falls behind a burst.
 */
const LANES = 2;
/** Events of a batch handed to plain listeners at once. */
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

const MARK_DELIVERED = `
  UPDATE outbox_event SET status = 'delivered', delivered_at = now(), last_error = NULL WHERE id = ANY($1::uuid[])`;

/** Due events, row-locked for the round's transaction: no write until the round settles them. */
const LOCK_DUE = `
  SELECT id, payload, attempts + 1 AS attempts FROM outbox_event
  WHERE status = 'pending' AND next_attempt_at <= now()
  ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED`;

const SETTLE_DELIVERED = `
  UPDATE outbox_event SET status = 'delivered', delivered_at = now(), last_error = NULL, attempts = attempts + 1
  WHERE id = ANY($1::uuid[])`;

const LEASE = `
  UPDATE outbox_event SET attempts = attempts + 1, next_attempt_at = now() + interval '${LEASE_SECONDS} seconds'
  WHERE id = ANY($1::uuid[])`;

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
  private readonly lanes = new Set<Promise<void>>();
  /** A wake arrived while every lane was busy: some lane must claim again before all stop. */
  private wakePending = false;
  private running = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly emitter: EventEmitter2,
    private readonly readiness: EventEmitterReadinessWatcher,
    private readonly consumers: BatchConsumers,
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
    await Promise.all(this.lanes);
  }

  /** Asks for a delivery round now (after a commit) rather than at the next poll. */
  wake(): void {
    if (!this.running) return;
    if (this.lanes.size < LANES) this.startLane();
    else this.wakePending = true;
  }

  /**
   * A lane claims a batch (SKIP LOCKED: lanes never share an event) and delivers it, until none is
   * due. A full batch means a backlog: the lane calls in another one, up to LANES.
   */
  private startLane(): void {
    const lane = this.runLane().finally(() => {
      this.lanes.delete(lane);
      if (this.wakePending) this.wake();
    });
    this.lanes.add(lane);
  }

  private async runLane(): Promise<void> {
    try {
      while (this.running) {
        this.wakePending = false;
        const due = await this.deliverRound();
        if (due === 0) return;
        if (due === BATCH_SIZE && this.lanes.size < LANES) this.startLane();
      }
    } catch (error) {
      this.logger.warn(`Delivery round stopped, will retry: ${(error as Error).message}`);
    }
  }

  /**
   * One round, returning how many events were due. In one transaction: lock a batch of due events, run
   * the batch consumers on it, settle the events no plain listener (@OnEvent) waits for, and lease the
   * others; then hand those to their listeners, which open their own transactions, and settle them.
   * Should the batch consumers fail, the round is done again one event at a time.
   */
  private async deliverRound(): Promise<number> {
    let due = 0;
    let leased: ClaimedEvent[] = [];
    try {
      await this.dataSource.transaction(async (manager) => {
        const batch: ClaimedEvent[] = await manager.query(LOCK_DUE, [BATCH_SIZE]);
        due = batch.length;
        if (due === 0) return;
        await this.consumers.run(batch.map((event) => event.payload), manager);
        leased = batch.filter((event) => this.emitter.hasListeners(event.payload.name));
        const quiet = batch.filter((event) => !leased.includes(event));
        if (quiet.length > 0) await manager.query(SETTLE_DELIVERED, [quiet.map((event) => event.id)]);
        if (leased.length > 0) await manager.query(LEASE, [leased.map((event) => event.id)]);
      });
    } catch (error) {
      this.logger.debug(`A batch goes one by one: ${(error as Error).message}`);
      const [batch]: [ClaimedEvent[], number] = await this.dataSource.query(CLAIM, [BATCH_SIZE]);
      await this.deliverEach(batch, true);
      return batch.length;
    }
    await this.deliverEach(leased, false);
    return due;
  }

  /** Each event to its plain listeners (and, when `consumeAlone`, to each batch consumer alone), settled. */
  private async deliverEach(batch: ClaimedEvent[], consumeAlone: boolean): Promise<void> {
    if (batch.length === 0) return;
    const delivered: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const event = batch[next++];
        if (await this.deliver(event, consumeAlone)) delivered.push(event.id);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_DELIVERIES }, worker));
    // One statement settles them. Should the process die first, the events are delivered again after
    // their lease: consumers skip what they already did.
    await this.dataSource.query(MARK_DELIVERED, [delivered]);
  }

  /** True when every consumer and listener succeeded; a failure is recorded for a retry. */
  private async deliver(event: ClaimedEvent, consumeAlone: boolean): Promise<boolean> {
    const outcomes = await Promise.allSettled([
      consumeAlone ? this.consumers.runEach(event.payload, (work) => this.dataSource.transaction(work)) : undefined,
      this.emitter.emitAsync(event.payload.name, event.payload),
    ]);
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (!failure) return true;
    await this.recordFailure(event, failure.reason as Error);
    return false;
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
