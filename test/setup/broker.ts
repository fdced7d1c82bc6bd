import { randomBytes } from 'node:crypto';
import { ChannelModel, ConsumeMessage, connect } from 'amqplib';

/** The machine's RabbitMQ; every test run uses exchanges and queues of its own, deleted afterwards. */
export const BROKER_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** A name no other run uses: `test.ipn.<what>.<random>`. */
export function uniqueName(what: string): string {
  return `test.ipn.${what}.${randomBytes(4).toString('hex')}`;
}

export interface Received {
  routingKey: string;
  properties: ConsumeMessage['properties'];
  body: any;
}

/**
 * A consumer of the test's own: a queue bound to the exchange, every message kept (and acked) in the
 * order it arrived. Talks to the real broker with amqplib, like any integrator would.
 */
export class BrokerInbox {
  readonly messages: Received[] = [];
  private connection!: ChannelModel;

  private constructor(
    readonly exchange: string,
    readonly queue: string,
  ) {}

  /** Once the app declared `exchange`: a fresh queue bound to all of it (`#`). */
  static async open(exchange: string): Promise<BrokerInbox> {
    const inbox = new BrokerInbox(exchange, uniqueName('queue'));
    inbox.connection = await connect(BROKER_URL);
    const channel = await inbox.connection.createChannel();
    await channel.assertQueue(inbox.queue, { durable: false });
    await channel.bindQueue(inbox.queue, exchange, '#');
    await channel.consume(inbox.queue, (message) => {
      if (!message) return;
      inbox.messages.push({
        routingKey: message.fields.routingKey,
        properties: message.properties,
        body: JSON.parse(message.content.toString('utf8')),
      });
      channel.ack(message);
    });
    return inbox;
  }

  /** Runs `work` on a channel of its own (a failed operation closes only that channel). */
  async on<T>(work: (channel: Awaited<ReturnType<ChannelModel['createChannel']>>) => Promise<T>): Promise<T> {
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    try {
      return await work(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  unbind(): Promise<void> {
    return this.on((channel) => channel.unbindQueue(this.queue, this.exchange, '#').then(() => undefined));
  }

  bind(): Promise<void> {
    return this.on((channel) => channel.bindQueue(this.queue, this.exchange, '#').then(() => undefined));
  }

  /** The messages of one order, ids in the order they arrived, and each id the first time only. */
  idsOf(orderRef: string): { all: string[]; unique: string[] } {
    const all = this.messages
      .filter((message) => message.body.orderRef === orderRef)
      .map((message) => message.properties.messageId as string);
    return { all, unique: [...new Set(all)] };
  }

  /** Deletes the queue and the exchange, and disconnects. */
  async close(): Promise<void> {
    if (!this.connection) return;
    await this.on(async (channel) => {
      await channel.deleteQueue(this.queue);
      await channel.deleteExchange(this.exchange);
    }).catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
