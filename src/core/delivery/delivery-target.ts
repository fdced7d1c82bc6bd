import type { EntityManager } from 'typeorm';
import type { DomainEvent, EventFilter } from '../events';

/** What a delivery is given besides its event(s). */
export interface DeliveryContext {
  /** Aborted at the target's time limit, or when this worker lost its lease: pass it on (fetch, clients). */
  readonly signal: AbortSignal;
  /** 1 on the first attempt. */
  readonly attempt: number;
}

/** A transactional target's context: its writes commit together with its progress. */
export interface TransactionalContext extends DeliveryContext {
  /**
   * The delivery's own transaction, opened on first call (so work done before touching the database,
   * such as a call to another service, holds no connection). What is written through it commits
   * exactly when the delivery is recorded as done; a failure rolls it back.
   */
  manager(): Promise<EntityManager>;
}

/** When to try again after the n-th failed attempt (1-based); null: give up (a dead letter). */
export type RetryPolicy = (attempt: number) => number | null;

/** Exponential backoff from `firstMs`, doubled each time, capped at an hour, `maxAttempts` in all. */
export function exponentialRetry(firstMs: number, maxAttempts: number): RetryPolicy {
  return (attempt) => (attempt >= maxAttempts ? null : Math.min(firstMs * 2 ** (attempt - 1), 3_600_000));
}

/** A fixed schedule of waits (`5s,5m,30m`): one attempt per entry, plus the first. */
export function scheduledRetry(delaysMs: readonly number[]): RetryPolicy {
  return (attempt) => delaysMs[attempt - 1] ?? null;
}

/**
 * A failure that says when to come back (a 429 or 503 with Retry-After), or that the target stopped
 * taking deliveries (a webhook endpoint that answered 410: it was disabled): its work waits as items.
 */
export class DeliveryFailure extends Error {
  override readonly name = 'DeliveryFailure';

  constructor(
    message: string,
    readonly options: { retryAfterMs?: number; targetStopped?: boolean } = {},
  ) {
    super(message);
  }
}

interface TargetBase {
  /** Unique and stable: its progress is kept under it (`subscriber:crm.sync`, `mail`, `webhook:<id>`). */
  readonly name: string;
  /** What kind of target (for metrics, the console and `GET /api/deliveries?channel=`). */
  readonly channel: string;
  /** The events it takes; `accepts` may narrow further on the content. */
  readonly filter: EventFilter;
  accepts?(event: DomainEvent): boolean;
  /** Where a target new to the database starts: the oldest retained event, or the next one. */
  readonly startAt: 'beginning' | 'now';
  /**
   * False while the target can take nothing at all (its broker is unreachable): the stage leaves its
   * position and its items alone until it is true again, so an outage costs no attempts and no dead
   * letters; what waits shows in the backlog. Absent: always available.
   */
  available?(): boolean;
  /** Per delivery (one event, or a batch for a transactional target). */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  /** After a failed attempt that will be retried: e.g. show it on the customer's timeline. */
  onFailed?(event: DomainEvent, error: string, attempt: number): Promise<void>;
  /** After the last attempt failed: e.g. mark the customer message failed. */
  onDead?(event: DomainEvent, error: string): Promise<void>;
}

/**
 * Sends events one by one, outside any transaction (mail, webhooks, the broker): the events of one key
 * in order, each after the previous one was delivered or given up; keys side by side.
 */
export interface SendingTarget extends TargetBase {
  readonly kind: 'send';
  /** Keys delivered at once. */
  readonly parallelKeys: number;
  send(event: DomainEvent, context: DeliveryContext): Promise<void>;
}

/**
 * Takes events in batches, in a transaction of its own (in-process subscribers): a batch's writes and
 * the target's progress commit together, so each event takes effect once.
 */
export interface TransactionalTarget extends TargetBase {
  readonly kind: 'transaction';
  handle(events: readonly DomainEvent[], context: TransactionalContext): Promise<void>;
}

export type DeliveryTarget = SendingTarget | TransactionalTarget;

/** Provides targets: fixed ones found at boot, or ones that change (webhook endpoints). */
export interface DeliveryTargetSource {
  /** The targets as they stand; asked again at every poll, so it must be cheap. */
  targets(): readonly DeliveryTarget[];
}
