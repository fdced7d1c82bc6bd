import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { discover } from '../discovery';
import { DomainEvent, EventLogRepository, EventLogSignal, LoggedEvent } from '../events';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryFailure, DeliveryTarget, DeliveryTargetSource, SendingTarget, TransactionalTarget } from './delivery-target';
import { DELIVERY_TARGET_SOURCE } from './delivery-targets.decorator';
import { LazyTransaction, Semaphore } from './lazy-transaction';
import { LeaseKeeper } from './lease';
import { TargetCooldown } from './target-cooldown';
import { ClaimedItem, DeliveryRepository, NewItem } from './persistence/delivery.repository';

/** Events a target is handed per window, at most; and how far a window looks for them. */
const WINDOW = 256;
const SCAN = 2048;
/** Targets worked on at once by this process, and items. */
const PARALLEL_TARGETS = 4;
const PARALLEL_ITEMS = 8;
const ITEM_BATCH = 32;

/**
 * The one delivery stage for everything that leaves the database after the commit: customer mail,
 * in-process subscribers (our provisioning, integrators' code), webhook endpoints, the broker. Each
 * target follows the event log from a position of its own, under a lease renewed while it works
 * (several instances share the targets; a dead worker's target is taken over within its lease plus a
 * poll):
 * - on the happy path a target reads a window of the log and delivers it (a sending target: each key's
 *   events in order, keys side by side; a transactional one: the window in one transaction that also
 *   moves its position), then moves past it;
 * - what fails becomes a delivery item, retried on the target's schedule under a lease of its own,
 *   dead after the last attempt; the key's later events wait behind it as items too (per-key order),
 *   other keys flow on. A dead item no longer holds its key back; retried, it goes after the key's
 *   newer items.
 * Woken when the relay appends to the log; polled every OUTBOX_POLL_MS. Runs where the relay runs.
 */
@Injectable()
export class DeliveryStage implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DeliveryStage');
  private readonly token = randomUUID();
  private sources: DeliveryTargetSource[] = [];
  private readonly registered = new Set<string>();
  private readonly working = new Map<string, Promise<void>>();
  private readonly connections: Semaphore;
  private readonly cooldown = new TargetCooldown();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private again = false;
  private started = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly deliveries: DeliveryRepository,
    private readonly log: EventLogRepository,
    private readonly signal: EventLogSignal,
    private readonly metrics: DeliveryMetrics,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.connections = new Semaphore(config.delivery.subscriberConnections);
  }

  onModuleInit(): void {
    this.sources = discover<true, DeliveryTargetSource>(this.discovery, DELIVERY_TARGET_SOURCE, 'delivery target sources').map(
      ({ instance }) => instance,
    );
  }

  onApplicationBootstrap(): void {
    if (!this.config.events.relay) return;
    this.started = true;
    this.signal.onAppended(() => this.wake());
    this.timer = setInterval(() => this.wake(), this.config.events.pollMs);
    this.wake();
  }

  /** Before the pool closes: work under way finishes (or is abandoned unsettled, to be done again). */
  async beforeApplicationShutdown(): Promise<void> {
    this.started = false;
    clearInterval(this.timer);
    await this.round;
    await Promise.all(this.working.values());
  }

  /** The targets as their sources now give them, by name. */
  targets(): Map<string, DeliveryTarget> {
    const targets = new Map<string, DeliveryTarget>();
    for (const source of this.sources) {
      for (const target of source.targets()) {
        if (targets.has(target.name)) throw new Error(`Two delivery targets are named "${target.name}"`);
        targets.set(target.name, target);
      }
    }
    return targets;
  }

  /** Look for work now rather than at the next poll. */
  wake(): void {
    if (!this.started) return;
    if (this.round) {
      this.again = true;
      return;
    }
    this.round = this.runRound().finally(() => {
      this.round = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async runRound(): Promise<void> {
    try {
      const targets = this.targets();
      await this.registerNew(targets);
      const idle = [...targets.values()]
        .filter((target) => isAvailable(target) && !this.working.has(target.name) && !this.cooldown.resting(target.name))
        .map(({ name }) => name);
      for (const { name } of await this.deliveries.behind(idle)) {
        if (this.working.size >= PARALLEL_TARGETS) break;
        this.startWork(name, () => this.follow(targets.get(name)!));
      }
      if (!this.working.has('items')) this.startWork('items', () => this.deliverItems(targets));
    } catch (error) {
      this.logger.warn(`Delivery round stopped, will retry: ${(error as Error).message}`);
    }
  }

  private startWork(name: string, work: () => Promise<void>): void {
    const running = work()
      .catch((error: Error) => this.logger.warn(`Delivery to ${name} stopped, will retry: ${error.message}`))
      .finally(() => {
        this.working.delete(name);
        this.again = true;
        if (!this.round) this.wake();
      });
    this.working.set(name, running);
  }

  private async registerNew(targets: Map<string, DeliveryTarget>): Promise<void> {
    const fresh = [...targets.values()].filter((target) => !this.registered.has(target.name));
    if (fresh.length === 0) return;
    await this.deliveries.register(fresh);
    for (const target of fresh) this.registered.add(target.name);
  }

  /** Follows the log for one target, window after window, while it holds the target's lease. */
  private async follow(target: DeliveryTarget): Promise<void> {
    const leaseMs = this.config.delivery.leaseMs;
    let position = await this.deliveries.leaseTarget(target.name, this.token, leaseMs);
    if (position === null) return; // another worker has it
    const lease = new LeaseKeeper(() => this.deliveries.renewTarget(target.name, this.token, leaseMs), leaseMs, target.name);
    try {
      while (this.started && !lease.lost && isAvailable(target)) {
        const window = await this.log.window(position, target.filter, WINDOW, SCAN);
        if (window.scannedThrough === null) break;
        const events = window.events.filter(({ event }) => target.accepts?.(event) ?? true);
        const blocked = await this.deliveries.blockedKeys(target.name, [...new Set(events.map(keyOf))]);
        const waiting = events.filter((logged) => blocked.has(keyOf(logged)));
        const free = events.filter((logged) => !blocked.has(keyOf(logged)));
        const advanced =
          target.kind === 'transaction'
            ? await this.deliverWindow(target, free, waiting, window.scannedThrough, lease)
            : await this.sendWindow(target, free, waiting, window.scannedThrough, lease);
        if (!advanced) break;
        position = window.scannedThrough;
      }
    } finally {
      lease.stop();
      if (!lease.lost) await this.deliveries.releaseTarget(target.name, this.token).catch(() => undefined);
    }
  }

  /** A sending target's window: each key's events in order, keys side by side; what fails becomes items. */
  private async sendWindow(
    target: SendingTarget,
    free: LoggedEvent[],
    waiting: LoggedEvent[],
    through: string,
    lease: LeaseKeeper,
  ): Promise<boolean> {
    const items: NewItem[] = waiting.map((logged) => itemOf(logged, 0, null, 0));
    let stopped = false;
    await inParallel(groupByKey(free), target.parallelKeys, async (group) => {
      for (const [index, logged] of group.entries()) {
        if (stopped || lease.lost) {
          items.push(...group.slice(index).map((rest) => itemOf(rest, 0, null, 0)));
          return;
        }
        try {
          await this.attempt(target, logged.event, 1, lease.signal);
        } catch (error) {
          const failure = error as Error;
          if (failure instanceof DeliveryFailure && failure.options.targetStopped) stopped = true;
          const delayMs = this.delayAfter(target, 1, failure);
          items.push(itemOf(logged, 1, failure.message, delayMs));
          items.push(...group.slice(index + 1).map((rest) => itemOf(rest, 0, null, 0)));
          await this.failed(target, logged.event, failure, 1, delayMs === null);
          return;
        }
      }
    });
    if (lease.lost) return false;
    this.metrics.delivered(target.channel, free.length - items.filter((item) => item.attempts > 0).length);
    return this.deliveries.advance(target, this.token, through, items);
  }

  /**
   * A transactional target's window in one transaction with the move of its position; if it fails,
   * the window's events become items, each delivered alone (so the failing one is found and counted).
   */
  private async deliverWindow(
    target: TransactionalTarget,
    free: LoggedEvent[],
    waiting: LoggedEvent[],
    through: string,
    lease: LeaseKeeper,
  ): Promise<boolean> {
    const parked = waiting.map((logged) => itemOf(logged, 0, null, 0));
    if (free.length === 0) return this.deliveries.advance(target, this.token, through, parked);
    const transaction = new LazyTransaction(this.dataSource, this.connections);
    try {
      await this.withTimeout(
        target,
        transaction,
        (signal) =>
          target.handle(
            free.map(({ event }) => event),
            { manager: () => transaction.manager(), signal, attempt: 1 },
          ),
        lease.signal,
      );
      if (lease.lost) throw lease.signal.reason;
      const advanced = await this.deliveries.advance(target, this.token, through, parked, await transaction.manager());
      if (!advanced) {
        await transaction.rollback();
        return false;
      }
      await transaction.commit();
      this.cooldown.succeeded(target.name);
      this.metrics.delivered(target.channel, free.length);
      return true;
    } catch (error) {
      await transaction.rollback();
      if (lease.lost) return false;
      this.cooldown.failed(target.name, target.retry(1) ?? 1000);
      this.logger.debug(`${target.name}: a window of ${free.length} goes one by one: ${(error as Error).message}`);
      // Shown on each of them until its own attempt says more: which one fails is not known yet.
      const batchError = `in a batch of ${free.length}: ${(error as Error).message}`;
      return this.deliveries.advance(target, this.token, through, [...free.map((logged) => itemOf(logged, 0, batchError, 0)), ...parked]);
    }
  }

  /**
   * Delivers due items (heads of their keys) of the targets this process serves that are available
   * (asked before each claim), each under its own lease.
   */
  private async deliverItems(targets: Map<string, DeliveryTarget>): Promise<void> {
    const leaseMs = this.config.delivery.leaseMs;
    while (this.started) {
      const awake = [...targets.values()].filter((target) => isAvailable(target) && !this.cooldown.resting(target.name));
      const subscribers = awake.filter((target) => target.kind === 'transaction').map((target) => target.name);
      const claimed = await this.deliveries.claim(
        awake.map((target) => target.name),
        this.token,
        ITEM_BATCH,
        leaseMs,
        subscribers,
      );
      if (claimed.length === 0) return;
      const events = await this.log.at(claimed.map((item) => item.position));
      await inParallel(claimed, PARALLEL_ITEMS, (item) => this.deliverItem(targets.get(item.target)!, item, events.get(item.position)));
    }
  }

  private async deliverItem(target: DeliveryTarget, item: ClaimedItem, logged: LoggedEvent | undefined): Promise<void> {
    const leaseMs = this.config.delivery.leaseMs;
    if (!logged) {
      await this.deliveries.settleFailed(item.id, this.token, 'the event is no longer in the log (EVENT_RETENTION)', null);
      return;
    }
    const lease = new LeaseKeeper(() => this.deliveries.renewItem(item.id, this.token, leaseMs), leaseMs, `item ${item.id}`);
    try {
      if (target.kind === 'send') {
        await this.attempt(target, logged.event, item.attempts, lease.signal);
        if (!lease.lost) await this.deliveries.settleDone(item.id, this.token);
      } else {
        const transaction = new LazyTransaction(this.dataSource, this.connections);
        try {
          await this.withTimeout(
            target,
            transaction,
            (signal) => target.handle([logged.event], { manager: () => transaction.manager(), signal, attempt: item.attempts }),
            lease.signal,
          );
          if (lease.lost) throw lease.signal.reason;
          if (await this.deliveries.settleDone(item.id, this.token, await transaction.manager())) await transaction.commit();
          else await transaction.rollback();
          this.cooldown.succeeded(target.name);
        } catch (error) {
          await transaction.rollback();
          throw error;
        }
      }
      this.metrics.delivered(target.channel, 1);
    } catch (error) {
      if (lease.lost) return; // its new holder tries again
      const failure = error as Error;
      const delayMs = this.delayAfter(target, item.attempts, failure);
      if (target.kind === 'transaction') this.cooldown.failed(target.name, target.retry(1) ?? 1000);
      if (await this.deliveries.settleFailed(item.id, this.token, failure.message, delayMs)) {
        await this.failed(target, logged.event, failure, item.attempts, delayMs === null);
      }
    } finally {
      lease.stop();
    }
  }

  /** One send, cut off at the target's time limit or when the lease is lost. */
  private async attempt(target: SendingTarget, event: DomainEvent, attempt: number, leaseSignal: AbortSignal): Promise<void> {
    await this.withTimeout(target, undefined, (signal) => target.send(event, { signal, attempt }), leaseSignal);
  }

  /**
   * Runs `work` with a signal aborted at the target's time limit (or when the lease is lost); past the
   * limit it fails, whether or not `work` ever returns, and the transaction's session is ended. Time spent
   * waiting for a connection does not count against the limit.
   */
  private async withTimeout(
    target: DeliveryTarget,
    transaction: LazyTransaction | undefined,
    work: (signal: AbortSignal) => Promise<void>,
    leaseSignal: AbortSignal,
  ): Promise<void> {
    const controller = new AbortController();
    const abort = (reason: unknown) => controller.abort(reason);
    const onLease = () => abort(leaseSignal.reason);
    leaseSignal.addEventListener('abort', onLease, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const startedAt = Date.now();
    const limit = new Promise<never>((_, reject) => {
      const check = () => {
        // The wait for a connection is not the target's time: the limit moves on by it.
        const left = startedAt + target.timeoutMs + (transaction?.waitedMs() ?? 0) - Date.now();
        if (left > 0) {
          timer = setTimeout(check, left);
          return;
        }
        const error = new Error(`${target.name} took longer than ${target.timeoutMs} ms`);
        abort(error);
        reject(error);
      };
      timer = setTimeout(check, target.timeoutMs);
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    try {
      await Promise.race([work(controller.signal), limit]);
    } catch (error) {
      await transaction?.kill();
      throw error;
    } finally {
      clearTimeout(timer);
      leaseSignal.removeEventListener('abort', onLease);
    }
  }

  /** When to try again after `attempt` failed (null: dead), at least what the target asked for. */
  private delayAfter(target: DeliveryTarget, attempt: number, failure: Error): number | null {
    const planned = target.retry(attempt);
    if (planned === null) return null;
    const asked = failure instanceof DeliveryFailure ? (failure.options.retryAfterMs ?? 0) : 0;
    return Math.max(planned, asked);
  }

  private async failed(target: DeliveryTarget, event: DomainEvent, failure: Error, attempt: number, dead = false): Promise<void> {
    this.metrics.failed(target.channel);
    this.logger.warn(
      `${target.name}: ${event.name} ${event.eventId} failed (attempt ${attempt})${dead ? ', dead-lettered' : ''}: ${failure.message}`,
    );
    const hook = dead ? target.onDead?.(event, failure.message) : target.onFailed?.(event, failure.message, attempt);
    await hook?.catch((error: Error) => this.logger.warn(`${target.name}: ${error.message}`));
  }
}

function isAvailable(target: DeliveryTarget): boolean {
  return target.available?.() ?? true;
}

/** An event's key for ordering; one of its own when it has none. */
function keyOf(logged: LoggedEvent): string {
  return logged.key ?? `event:${logged.event.eventId}`;
}

function itemOf(logged: LoggedEvent, attempts: number, error: string | null, delayMs: number | null): NewItem {
  return {
    key: keyOf(logged),
    position: logged.position,
    eventId: logged.event.eventId,
    eventName: logged.event.name,
    attempts,
    error,
    delayMs,
  };
}

function groupByKey(events: readonly LoggedEvent[]): LoggedEvent[][] {
  const groups = new Map<string, LoggedEvent[]>();
  for (const logged of events) {
    const group = groups.get(keyOf(logged));
    if (group) group.push(logged);
    else groups.set(keyOf(logged), [logged]);
  }
  return [...groups.values()];
}

/** Runs `work` over `items`, at most `width` at once. */
export async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
