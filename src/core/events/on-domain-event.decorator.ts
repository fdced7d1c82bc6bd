import { OnEvent } from '@nestjs/event-emitter';

/**
 * The house way to consume a domain event. Unlike a bare `@OnEvent`, errors are not swallowed: they
 * reach the outbox relay, which retries with backoff and dead-letters after the last attempt. Pair it
 * with `ConsumerInbox.once` so a redelivery has no second effect.
 */
export function OnDomainEvent(...names: string[]): MethodDecorator {
  return (target, key, descriptor) => {
    for (const name of names) OnEvent(name, { suppressErrors: false })(target, key, descriptor);
  };
}
