import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AmqpConnectionManager, ChannelWrapper, connect } from 'amqp-connection-manager';
import type { ConfirmChannel, Message } from 'amqplib';
import { Gauge } from 'prom-client';
import { APP_CONFIG, AmqpConfig, AppConfig } from '../../../config/app.config';
import { DeliveryFailure } from '../../../core/delivery';
import { MetricsRegistry } from '../../../core/observability';
import type { AmqpMessage } from './amqp-message';
import { redactedUrl, withoutPassword } from './broker-url';

/** A silent broker is noticed after about two heartbeats. */
const HEARTBEAT_SECONDS = 5;
/** Opening the TCP connection and the AMQP handshake, at most. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The connection to the broker (AMQP_URL), kept up by amqp-connection-manager: reconnected every
 * AMQP_RECONNECT_MS while the broker is unreachable, a confirm channel opened on each connection with
 * the exchange declared on it. `ready` while that channel is open; `publish` resolves once the broker
 * confirmed the message, and fails when the broker refused it, returned it (no queue bound for its
 * routing key) or did not confirm it in time. Connects only where the delivery stage runs.
 */
@Injectable()
export class AmqpPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Amqp');
  private readonly config: AmqpConfig | undefined;
  private connection: AmqpConnectionManager | undefined;
  private channel: ChannelWrapper | undefined;
  /** The channel in use, once its exchange is declared. */
  private open: ConfirmChannel | undefined;
  /** Publishes awaiting their confirm, by message id; the broker sends a return before the confirm. */
  private readonly awaiting = new Map<string, { returned?: string }>();
  /** What is wrong now, logged once per change (not at every reconnect attempt). */
  private problem: string | undefined;
  private recovery: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    @Inject(APP_CONFIG) private readonly appConfig: AppConfig,
    registry: MetricsRegistry,
  ) {
    this.config = appConfig.amqp;
    if (!this.config) return;
    const ready = () => this.ready;
    new Gauge({
      name: 'amqp_connected',
      help: '1 while the broker (AMQP_URL) is connected and the exchange declared: events are being published; 0 while they wait',
      registers: [registry],
      collect() {
        this.set(ready() ? 1 : 0);
      },
    });
  }

  get ready(): boolean {
    return this.open !== undefined;
  }

  onApplicationBootstrap(): void {
    const config = this.config;
    if (!config || !this.appConfig.events.relay) return;
    const url = config.url.reveal().toString('utf8');
    const where = redactedUrl(url);
    const clean = (error: unknown) => withoutPassword(error instanceof Error ? error.message : String(error), url);
    const connection = connect([url], {
      heartbeatIntervalInSeconds: HEARTBEAT_SECONDS,
      reconnectTimeInSeconds: config.reconnectMs / 1000,
      connectionOptions: { timeout: CONNECT_TIMEOUT_MS },
    });
    connection.on('connect', () => this.logger.log(`Connected to ${where}`));
    connection.on('connectFailed', ({ err }) => this.report(`Cannot reach ${where}: ${clean(err)}; events wait in the log`));
    connection.on('disconnect', ({ err }) => {
      this.open = undefined;
      if (!this.closing) this.report(`Disconnected from ${where}: ${clean(err)}; events wait in the log`);
    });
    connection.on('blocked', ({ reason }) => this.logger.warn(`${where} blocks publishing: ${reason}`));
    this.channel = connection.createChannel({
      name: 'events',
      confirm: true,
      setup: (channel: ConfirmChannel) => this.setUp(channel, config.exchange),
    });
    this.channel.on('error', (error: Error) => this.report(`Exchange ${config.exchange} on ${where}: ${clean(error)}`));
    this.connection = connection;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.recovery);
    this.open = undefined;
    await this.connection?.close();
  }

  /** Publishes one message to the exchange; resolves once the broker confirmed it. */
  async publish(message: AmqpMessage, timeoutMs: number): Promise<void> {
    if (!this.channel || !this.open) throw new DeliveryFailure('the broker is unreachable', { targetStopped: true });
    const { exchange } = this.config!;
    const id = message.options.messageId;
    const waiting: { returned?: string } = {};
    this.awaiting.set(id, waiting);
    try {
      await this.channel.publish(exchange, message.routingKey, message.content, { ...message.options, timeout: timeoutMs });
    } catch (error) {
      throw new Error(`Not published: ${withoutPassword(whyNot(error as Error, timeoutMs), this.config!.url.reveal().toString('utf8'))}`, {
        cause: error,
      });
    } finally {
      this.awaiting.delete(id);
    }
    if (waiting.returned) {
      throw new DeliveryFailure(`Returned by the broker (${waiting.returned}): no queue is bound to ${exchange} for ${message.routingKey}`);
    }
  }

  /** Run on every new channel, before anything is published on it. */
  private async setUp(channel: ConfirmChannel, exchange: string): Promise<void> {
    channel.on('return', (message: Message) => {
      const waiting = this.awaiting.get(message.properties.messageId as string);
      // A return's fields are basic.return's (amqplib's types declare only the common ones).
      const { replyCode, replyText } = message.fields as Message['fields'] & { replyCode?: number; replyText?: string };
      if (waiting) waiting.returned = `${replyCode} ${replyText}`;
    });
    channel.on('close', () => {
      if (this.open === channel) this.open = undefined;
      this.recoverChannel();
    });
    await channel.assertExchange(exchange, 'topic', { durable: true });
    this.open = channel;
    if (this.problem) this.logger.log(`Publishing to ${exchange} again`);
    this.problem = undefined;
  }

  /**
   * A channel the broker closed while the connection stayed (the exchange was deleted, or could not be
   * declared): amqp-connection-manager opens channels only on a new connection, so make one.
   */
  private recoverChannel(): void {
    if (this.closing) return;
    clearTimeout(this.recovery);
    this.recovery = setTimeout(() => {
      if (!this.closing && !this.open && this.connection?.isConnected()) this.connection.reconnect();
    }, this.config!.reconnectMs);
  }

  private report(problem: string): void {
    if (problem === this.problem) return;
    this.problem = problem;
    this.logger.warn(problem);
  }
}

/** The client's reason for a publish that was not confirmed, in words an operator can act on. */
function whyNot(error: Error, timeoutMs: number): string {
  if (error.message === 'timeout') return `no confirm from the broker within ${timeoutMs} ms`;
  if (error.message === 'message nacked')
    return 'the broker refused it (nack: a queue is full and rejects publishes, or the broker failed)';
  return error.message;
}
