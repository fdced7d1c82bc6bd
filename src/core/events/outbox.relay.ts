import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2, EventEmitterReadinessWatcher } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { isDatabaseUnavailable } from '../errors/database-unavailable';
import { UnprocessableEventError } from './consumer.decorator';
import type { DomainEvent } from './domain-event';
import { EventDispatcher, consumerOf } from './event-dispatcher';
import { EventMetrics } from './event-metrics';
import { ChainLink, DueEvent, OutboxRepository } from './persistence/outbox.repository';

const BATCH_SIZE = 128;
/** Batches delivered at once: while one lane waits for the database, the other works. */
const LANES = 2;
const MAX_BACKOFF_MS = 60 * 60 * 1000;

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

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: EventDispatcher,
    private readonly emitter: EventEmitter2,
    private readonly readiness: EventEmitterReadinessWatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: EventMetrics,
  ) {}

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
        await this.outbox.settle(manager, chains(fresh, raised));
      });
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      this.logger.debug(`A batch goes one by one: ${(error as Error).message}`);
      for (const event of batch) await this.deliverAlone(event.id);
      return batch.length;
    }
    this.announce([...fresh.map((event) => event.payload), ...raised]);
    for (const event of batch) if (event.attempts > 0) await this.deliverAlone(event.id);
    return batch.length;
  }

  /**
   * One event in a transaction of its own, holding its row: its chain runs in a savepoint, and a
   * failure is recorded in the same transaction, so no other worker can have delivered it meanwhile.
   */
  private async deliverAlone(id: string): Promise<void> {
    let delivered: DomainEvent[] = [];
    await this.dataSource.transaction(async (manager) => {
      const event = await this.outbox.lockOne(manager, id);
      if (!event) return; // Delivered, or held by another worker.
      await manager.query('SAVEPOINT delivery');
      try {
        const raised = await this.dispatcher.dispatch([event.payload], manager);
        await this.outbox.settle(manager, chains([event], raised));
        delivered = [event.payload, ...raised];
      } catch (error) {
        if (isDatabaseUnavailable(error)) throw error;
        await manager.query('ROLLBACK TO SAVEPOINT delivery');
        await this.outbox.recordFailure(manager, event.id, this.failure(event, error as Error));
      }
    });
    this.announce(delivered);
  }

  private failure(event: DueEvent, error: Error): { dead: boolean; error: string; delayMs: number } {
    const { maxAttempts, backoffMs } = this.config.events;
    const attempt = event.attempts + 1;
    const dead = attempt >= maxAttempts || error instanceof UnprocessableEventError;
    const delayMs = Math.min(backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
    this.metrics.consumerFailed(consumerOf(error) ?? 'relay');
    const about = event.payload.correlationId ? ` (notification ${event.payload.correlationId})` : '';
    this.logger.warn(
      `${event.payload.name} ${event.id}${about} failed (attempt ${attempt}/${maxAttempts})` +
        `${dead ? ', dead-lettered' : `, retry in ${delayMs} ms`}: ${error.message}`,
    );
    return { dead, error: error.message, delayMs };
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

/** Each delivered event with the events raised along its chain (they carry its correlation id). */
function chains(delivered: readonly DueEvent[], raised: readonly DomainEvent[]): Array<{ id: string; chain: ChainLink[] }> {
  const byCorrelation = new Map<string | null, ChainLink[]>();
  for (const { data: _data, ...link } of raised) {
    const chain = byCorrelation.get(link.correlationId);
    if (chain) chain.push(link);
    else byCorrelation.set(link.correlationId, [link]);
  }
  return delivered.map((event) => {
    const chain = byCorrelation.get(event.payload.correlationId) ?? [];
    byCorrelation.delete(event.payload.correlationId); // a notification queued twice: the chain is the first's
    return { id: event.id, chain };
  });
}
