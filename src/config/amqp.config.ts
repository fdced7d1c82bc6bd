import { EventFilter } from '../core/events/event-filter';
import { ConfigurationError } from './configuration.error';
import type { Environment } from './environment';
import { Secret } from './secret';

/** Publishing every committed event to a RabbitMQ topic exchange; undefined when AMQP_URL is unset (nothing connects). */
export interface AmqpConfig {
  /** The broker's amqp:// or amqps:// URL, with its credentials: printed as [secret]. */
  readonly url: Secret;
  /** The durable topic exchange the events go to (routing key: the event name). */
  readonly exchange: string;
  /** Which events are published (event names or prefixes such as `order.*`); all by default. */
  readonly events: readonly string[];
  /** From a publish to the broker's confirm, at most; past it the attempt failed and is retried. */
  readonly confirmTimeoutMs: number;
  /** Attempts at a message the broker refused or returned (no queue bound) before it is a dead letter. */
  readonly maxAttempts: number;
  /** Wait between attempts to reach the broker, while it is unreachable. */
  readonly reconnectMs: number;
}

const EXCHANGE = /^[A-Za-z0-9_.:-]{1,255}$/;

/** AMQP_* variables, already checked by their rules in Environment. */
export function amqpConfig(env: Environment): AmqpConfig | undefined {
  if (!env.AMQP_URL) return undefined;
  const exchange = env.AMQP_EXCHANGE ?? 'ipn.events';
  if (!EXCHANGE.test(exchange) || exchange.startsWith('amq.')) {
    throw new ConfigurationError('AMQP_EXCHANGE', 'must be letters, digits, - _ . or : (at most 255), not starting with amq. (reserved)');
  }
  const events = (env.AMQP_EVENTS ?? '*').split(',').map((pattern) => pattern.trim());
  const wrong = events.find((pattern) => !EventFilter.isPattern(pattern));
  if (wrong !== undefined) throw new ConfigurationError('AMQP_EVENTS', `"${wrong}" is not an event name or a prefix such as order.*`);
  return {
    url: new Secret(env.AMQP_URL),
    exchange,
    events,
    confirmTimeoutMs: env.AMQP_CONFIRM_TIMEOUT_MS ?? 10_000,
    maxAttempts: env.AMQP_MAX_ATTEMPTS ?? 15,
    reconnectMs: env.AMQP_RECONNECT_MS ?? 5000,
  };
}
