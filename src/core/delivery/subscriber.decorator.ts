import { Injectable } from '@nestjs/common';
import type { DomainEvent, EventContract, EventOf } from '../events';
import type { TransactionalContext } from './delivery-target';

/** What a subscriber is handed with its events: a signal, the attempt, and its own transaction. */
export type SubscriberContext = TransactionalContext;

/**
 * An integrator's way in, isolated from the chain: the delivery stage hands it the events it subscribed
 * to, after their commit, in batches in log order (an order's events in the order they were raised),
 * at least once. `context.manager()` is its own transaction: what it writes there commits with its
 * progress, so a database effect happens once. It never delays orders, entitlements, customer mail or
 * another subscriber: a failure is retried (OUTBOX_BACKOFF_MS doubling, OUTBOX_MAX_ATTEMPTS) and
 * dead-lettered for it alone, and a delivery past SUBSCRIBER_TIMEOUT_MS is cut off (its session ended).
 * An outside call made from here may be repeated (a retry, a takeover): send an idempotency key, such
 * as `event.eventId`.
 */
export interface EventSubscriber<TEvent extends DomainEvent = DomainEvent> {
  handle(events: readonly TEvent[], context: SubscriberContext): Promise<void>;
}

export interface SubscriberOptions {
  /** Stable and unique: its position in the log and its dead letters are kept under it. */
  readonly name: string;
  /** A subscriber new to the database starts with the oldest retained event, or with the next one (default). */
  readonly from?: 'beginning' | 'now';
}

export interface SubscriberDefinition extends Required<SubscriberOptions> {
  readonly events: readonly string[];
}

export const SUBSCRIBER_METADATA = Symbol('event-subscriber');

/**
 * Marks a provider as a subscriber of the events of `contracts`, typed by them like @Consumer. Example:
 * `@Subscriber('crm.sync-customer', OrderCompletedEvent) class SyncCrm implements
 * EventSubscriber<OrderCompletedEvent> { … }`; `@Subscriber({ name, from: 'beginning' }, …)` to read the
 * retained log first.
 */
export function Subscriber<const TContracts extends ReadonlyArray<EventContract<string, unknown>>>(
  nameOrOptions: string | SubscriberOptions,
  ...contracts: TContracts
) {
  return <TClass extends new (...args: never[]) => EventSubscriber<EventOf<TContracts[number]>>>(target: TClass): void => {
    const options = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
    const definition: SubscriberDefinition = {
      name: options.name,
      from: options.from ?? 'now',
      events: contracts.map((contract) => contract.NAME),
    };
    Reflect.defineMetadata(SUBSCRIBER_METADATA, definition, target);
    Injectable()(target);
  };
}
