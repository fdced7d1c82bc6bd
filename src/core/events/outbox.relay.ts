import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2, EventEmitterReadinessWatcher } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { DatabaseProbe } from '../errors/database-probe';
import { isUnstorableValue } from '../errors/database-unavailable';
import { UnprocessableEventError } from './consumer.decorator';
import type { DomainEvent } from './domain-event';
import { EventDispatcher, consumerOf } from './event-dispatcher';
import { EventMetrics } from './event-metrics';
import { EventLogSignal } from './event-log-signal';
import { EventLogRepository } from './persistence/event-log.repository';
import { DueEvent, OutboxRepository } from './persistence/outbox.repository';

const BATCH_SIZE = 128;
/** Batches delivered at once: while one lane waits for the database, the other works. */
const LANES = 2;

/**
 * Delivers pending outbox events (each stored notification's received event) to their consumers, at
 * least once and exactly once in effect: a round locks a batch of due events (SKIP LOCKED: lanes and
 * other instances never share one), runs the consumers' whole chain in that transaction and settles
 * the batch in it. If the round fails, each event is delivered alone, so one bad notification fails
 * alone: rolled back, retried with exponential backoff, dead-lettered after the last attempt. A crash
 * only rolls a round back. Plain @OnEvent listeners hear of each event after its commit, fire and forget.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private timer: NodeJS.Timeout | undefined;
  private readonly lanes = new Set<Promise<void>>();
  /** A wake arrived while every lane was busy: some lane must look again before all stop. */
  private wakePending = false;
  private running = false;
  private stopped = false;
  private readonly probe: DatabaseProbe;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly log: EventLogRepository,
    private readonly logSignal: EventLogSignal,
    private readonly dispatcher: EventDispatcher,
    private readonly emitter: EventEmitter2,
    private readonly readiness: EventEmitterReadinessWatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: EventMetrics,
  ) {
    this.probe = new DatabaseProbe(dataSource);
  }

  onApplicationBootstrap(): void {
    if (!this.config.events.relay) return;
    // @OnEvent listeners are attached during bootstrap; wait for them (not awaited here: the emitter's
    // own bootstrap hook, which makes it ready, may run after this one).
    void this.readiness.waitUntilReady().then(() => {
      if (this.stopped) return;
      this.running = true;
      this.timer = setInterval(() => this.wake(), this.config.events.pollMs);
      this.wake();
    });
  }

  /** Stops claiming; rounds under way finish (or roll back) before the pool closes. */
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

  private startLane(): void {
    const lane = this.runLane().finally(() => {
      this.lanes.delete(lane);
      if (this.wakePending) this.wake();
    });
    this.lanes.add(lane);
  }

  /** Rounds until none is due; a full batch means a backlog, and calls in another lane. */
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

  /** One round; returns how many events were due. Events that failed before go alone. */
  private async deliverRound(): Promise<number> {
    let batch: DueEvent[] = [];
    let raised: DomainEvent[] = [];
    let fresh: DueEvent[] = [];
    try {
      await this.dataSource.transaction(async (manager) => {
        batch = await this.outbox.lockDue(manager, BATCH_SIZE);
        fresh = batch.filter((event) => event.attempts === 0);
        if (fresh.length === 0) return;
        raised = await this.dispatcher.dispatch(
          fresh.map((event) => event.payload),
          manager,
        );
        await this.outbox.settle(
          manager,
          fresh.map((event) => event.id),
        );
        await this.log.append(manager, chained(fresh, raised));
      });
    } catch (error) {
      // A time limit or a dropped session is the batch's own failure unless the database is down.
      if (await this.probe.isDown(error)) throw error;
      this.logger.debug(`A batch goes one by one: ${(error as Error).message}`);
      for (const event of batch) await this.deliverAlone(event.id);
      return batch.length;
    }
    if (fresh.length > 0) this.probe.delivered();
    if (raised.length > 0) this.logSignal.appended();
    this.announce([...fresh.map((event) => event.payload), ...raised]);
    for (const event of batch) if (event.attempts > 0) await this.deliverAlone(event.id);
    return batch.length;
  }

  /**
   * One event in a transaction of its own, holding its row (waiting for it when another lane's batch
   * holds it, so that a batch-breaking event is counted rather than passed between lanes' batches): its
   * chain runs in a savepoint, and a failure is recorded in the same transaction, so no other worker can
   * have delivered it meanwhile. When the failure took the session with it (the server ended it: idle
   * in transaction too long), the failure is recorded in a new transaction.
   */
  private async deliverAlone(id: string): Promise<void> {
    let delivered: DomainEvent[] = [];
    let sessionLost: { event: DueEvent; error: Error } | undefined;
    try {
      await this.dataSource.transaction(async (manager) => {
        const event = await this.outbox.lockOne(manager, id);
        if (!event) return; // Delivered, or no longer due.
        await manager.query('SAVEPOINT delivery');
        try {
          const raised = await this.dispatcher.dispatch([event.payload], manager);
          await this.outbox.settle(manager, [event.id]);
          await this.log.append(manager, chained([event], raised));
          delivered = [event.payload, ...raised];
        } catch (error) {
          if (await this.probe.isDown(error, id)) throw error;
          try {
            await manager.query('ROLLBACK TO SAVEPOINT delivery');
            await this.recordFailure(manager, event, error as Error);
          } catch (lost) {
            sessionLost = { event, error: error as Error };
            throw lost;
          }
        }
      });
    } catch (error) {
      if (!sessionLost) throw error;
      const { event, error: cause } = sessionLost;
      const ended = new Error(
        `${cause.message} (the database ended the delivery's session: a consumer idle inside the transaction for longer ` +
          `than idle_in_transaction_session_timeout, twice DATABASE_STATEMENT_TIMEOUT_MS, or a dropped connection)`,
      );
      await this.dataSource.transaction(async (manager) => {
        if (await this.outbox.lockOne(manager, event.id)) await this.recordFailure(manager, event, ended);
      });
    }
    if (delivered.length > 0) this.probe.delivered();
    if (delivered.length > 1) this.logSignal.appended();
    this.announce(delivered);
  }

  /** Records a failed delivery (retry or dead letter) and says so. */
  private async recordFailure(manager: EntityManager, event: DueEvent, error: Error): Promise<void> {
    const { maxAttempts, backoffMs } = this.config.events;
    // A value PostgreSQL cannot store (too long for its index, out of range) fails the same way every time.
    const unprocessable = error instanceof UnprocessableEventError || isUnstorableValue(error);
    const recorded = await this.outbox.recordFailure(manager, event.id, { error: error.message, unprocessable, maxAttempts, backoffMs });
    if (!recorded) return;
    this.metrics.consumerFailed(consumerOf(error) ?? 'relay');
    const about = event.payload.correlationId ? ` (notification ${event.payload.correlationId})` : '';
    this.logger.warn(
      `${event.payload.name} ${event.id}${about} failed (attempt ${recorded.attempts}/${maxAttempts})` +
        `${recorded.dead ? ', dead-lettered' : `, retry in ${recorded.delayMs} ms`}: ${error.message}`,
    );
  }

  /** Plain @OnEvent listeners: told after the commit, fire and forget (their errors are only logged). */
  private announce(events: readonly DomainEvent[]): void {
    for (const event of events) {
      if (!this.emitter.hasListeners(event.name)) continue;
      this.emitter.emitAsync(event.name, event).catch((error: Error) => {
        this.logger.warn(`@OnEvent listener of ${event.name} ${event.eventId} failed (not retried): ${error.message}`);
      });
    }
  }
}

/**
 * The raised events with the delivered event whose chain each belongs to (the one with its
 * correlation id: a notification queued twice in one batch lends its chain to the first).
 */
function chained(delivered: readonly DueEvent[], raised: readonly DomainEvent[]): Array<{ event: DomainEvent; chainId: string | null }> {
  const chainOf = new Map<string | null, string>();
  for (const event of delivered) if (!chainOf.has(event.payload.correlationId)) chainOf.set(event.payload.correlationId, event.id);
  return raised.map((event) => ({ event, chainId: chainOf.get(event.correlationId) ?? null }));
}
