import { randomUUID } from 'node:crypto';

/**
 * The envelope every domain event shares. Payloads are plain, serialisable data: they travel through
 * the outbox as JSON, and listeners receive them as plain objects of this shape. Changes to `data` are
 * additive only; a breaking change is a new `version`.
 */
export interface DomainEvent<TName extends string = string, TData = unknown> {
  readonly eventId: string;
  readonly name: TName;
  readonly version: number;
  /** ISO-8601 time the fact happened (the commit that recorded it). */
  readonly occurredAt: string;
  /** The 2Checkout order reference (REFNO) the event is about, when there is one. */
  readonly orderRef: string | null;
  /** True for 2Checkout TEST orders, all the way down the chain. */
  readonly test: boolean;
  /** The event that caused this one, for tracing a chain (order.completed -> fulfillment.granted). */
  readonly causationId: string | null;
  /** The stored notification (IPN or LCN) that started the chain this event belongs to. */
  readonly correlationId: string | null;
  readonly data: TData;
}

/** What a producer supplies; the rest of the envelope is filled in by `createEvent`. */
export interface EventFacts<TData> {
  orderRef: string | null;
  test: boolean;
  data: TData;
  causedBy?: DomainEvent | null;
  /** The notification that started the chain; taken from `causedBy` when there is one. */
  correlationId?: string | null;
}

/** Declares an event contract: a stable name, a version and the payload type. */
export interface EventContract<TName extends string, TData> {
  readonly NAME: TName;
  readonly VERSION: number;
  /** Only for typing: `typeof OrderCompletedEvent.prototype` is the payload listeners receive. */
  readonly prototype: DomainEvent<TName, TData>;
}

export function createEvent<TName extends string, TData>(
  contract: EventContract<TName, TData>,
  facts: EventFacts<TData>,
): DomainEvent<TName, TData> {
  return {
    eventId: randomUUID(),
    name: contract.NAME,
    version: contract.VERSION,
    occurredAt: new Date().toISOString(),
    orderRef: facts.orderRef,
    test: facts.test,
    causationId: facts.causedBy?.eventId ?? null,
    correlationId: facts.causedBy?.correlationId ?? facts.correlationId ?? null,
    data: facts.data,
  };
}

/**
 * Base of the exported payload classes, so integrators write
 * `@OnEvent(OrderCompletedEvent.NAME) handle(event: OrderCompletedEvent)` and get types.
 */
export abstract class DomainEventBase<TName extends string, TData> implements DomainEvent<TName, TData> {
  readonly eventId!: string;
  readonly name!: TName;
  readonly version!: number;
  readonly occurredAt!: string;
  readonly orderRef!: string | null;
  readonly test!: boolean;
  readonly causationId!: string | null;
  readonly correlationId!: string | null;
  readonly data!: TData;
}

/** The event type a contract declares: `EventOf<typeof OrderCompletedEvent>`. */
export type EventOf<TContract> = TContract extends EventContract<infer TName, infer TData> ? DomainEvent<TName, TData> : never;
