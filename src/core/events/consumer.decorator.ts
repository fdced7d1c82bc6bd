import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DomainEvent, EventContract, EventOf } from './domain-event';

/**
 * What a consumer is handed with its events. Its writes go through `manager`: the delivery
 * transaction, shared with the change that raised the events (see docs/integrating.md), so an effect
 * commits exactly when the delivery is settled. Events it raises with `raise` are handed to their own
 * consumers in that same transaction, after it returns.
 */
export interface ConsumerContext {
  readonly manager: EntityManager;
  raise(...events: DomainEvent[]): void;
}

/** The one way to consume domain events durably: a class with this method, marked with @Consumer. */
export interface EventConsumer<TEvent extends DomainEvent = DomainEvent> {
  /**
   * Handles a batch of events (in the order they were raised or claimed), with a few statements for
   * the whole batch. Throwing fails the delivery: it is rolled back and retried with backoff, event
   * by event; `UnprocessableEventError` dead-letters the event at once.
   */
  handle(events: readonly TEvent[], context: ConsumerContext): Promise<void>;
}

export interface ConsumerDefinition {
  /** Stable, unique name (shown with failures and dead letters). */
  readonly name: string;
  readonly events: readonly string[];
  /** Consumers this one runs after in a round (and so locks after): see inConsumerOrder. */
  readonly after: readonly string[];
}

export interface ConsumerOptions {
  readonly name: string;
  /** Names of the consumers it runs after: the order is declared, never taken from module imports. */
  readonly after?: readonly string[];
}

export const CONSUMER_METADATA = Symbol('event-consumer');

/**
 * Marks a provider as a consumer of the events of `contracts`; the events it receives are typed by
 * them. Consumers are found at boot (two with one name stop start-up) and run in the order their
 * `after` declares (ties by name). Example:
 * `@Consumer('crm.notify-on-completed', OrderCompletedEvent) class NotifyCrm implements
 * EventConsumer<OrderCompletedEvent> { … }`.
 */
export function Consumer<const TContracts extends ReadonlyArray<EventContract<string, unknown>>>(
  nameOrOptions: string | ConsumerOptions,
  ...contracts: TContracts
) {
  return <TClass extends new (...args: never[]) => EventConsumer<EventOf<TContracts[number]>>>(target: TClass): void => {
    const { name, after = [] } = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
    const definition: ConsumerDefinition = { name, events: contracts.map((contract) => contract.NAME), after };
    Reflect.defineMetadata(CONSUMER_METADATA, definition, target);
    Injectable()(target);
  };
}

/** A failure that no retry can mend (the event's content is unusable): dead-lettered at once. */
export class UnprocessableEventError extends Error {
  override readonly name = 'UnprocessableEventError';
}
