import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConsumerRegistry } from './consumer-registry';
import type { DomainEvent } from './domain-event';

/** A chain deeper than this is a loop between consumers, not a business process. */
const MAX_GENERATIONS = 16;

/**
 * Hands events to their consumers inside one transaction. Events the consumers raise form the next
 * generation, handed on in the same transaction, until none is raised: one order change and all its
 * consequences (account, entitlements, messages) commit together, or not at all.
 */
@Injectable()
export class EventDispatcher {
  constructor(private readonly registry: ConsumerRegistry) {}

  /** Runs the chain; returns every event raised along it (not `events` themselves). */
  async dispatch(events: readonly DomainEvent[], manager: EntityManager): Promise<DomainEvent[]> {
    const raised: DomainEvent[] = [];
    let generation = events;
    for (let depth = 0; generation.length > 0; depth += 1) {
      if (depth === MAX_GENERATIONS) {
        throw new Error(`Consumers kept raising events for ${MAX_GENERATIONS} generations (last: ${generation[0].name}): a loop`);
      }
      const next: DomainEvent[] = [];
      const context = { manager, raise: (...more: DomainEvent[]) => void next.push(...more) };
      for (const consumer of this.registry.all()) {
        const share = generation.filter((event) => consumer.events.includes(event.name));
        if (share.length === 0) continue;
        try {
          await consumer.instance.handle(share, context);
        } catch (error) {
          throw attributed(error, consumer.name);
        }
      }
      raised.push(...next);
      generation = next;
    }
    return raised;
  }
}

const failingConsumers = new WeakMap<Error, string>();

/** The consumer whose failure this is (for consumer_failures_total); undefined when no consumer threw it. */
export function consumerOf(error: unknown): string | undefined {
  return error instanceof Error ? failingConsumers.get(error) : undefined;
}

/** The error, with the failing consumer's name in front of its message (kept for dead letters). */
function attributed(error: unknown, consumer: string): Error {
  const failure = error instanceof Error ? error : new Error(String(error));
  if (!failure.message.startsWith(`${consumer}: `)) failure.message = `${consumer}: ${failure.message}`;
  failingConsumers.set(failure, consumer);
  return failure;
}
