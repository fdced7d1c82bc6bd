import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import amqp from 'amqplib';

const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const EXCHANGE = 'bench.events';

/**
 * The product with its outside channels on, as the issue measures it: two webhook endpoints (one for
 * order.completed, one for fulfillment.granted) answered by a receiver in this process, and the broker
 * on for every event, with a queue bound to all of it (unroutable messages would be returned and
 * retried). The receiver and the broker's consumer run outside the measured processes.
 */
export function channelsTarget(): { env: Record<string, string>; setUp: (baseUrl: string) => Promise<void> } {
  return {
    env: {
      ADMIN_TOKEN,
      AMQP_URL: process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
      AMQP_EXCHANGE: EXCHANGE,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      ADMIN_REQUESTS_PER_MINUTE: '100000',
    },
    setUp: async (baseUrl) => {
      const receiver = createServer((request, response) => {
        request.resume();
        request.on('end', () => response.writeHead(204).end());
      });
      await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
      receiver.unref();
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      for (const events of [['order.completed'], ['fulfillment.granted']]) {
        const response = await fetch(`${baseUrl}/api/webhooks`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ url, events, description: 'bench' }),
        });
        if (response.status !== 201) throw new Error(`POST /api/webhooks: ${response.status} ${await response.text()}`);
      }
      const connection = await amqp.connect(process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
      const channel = await connection.createChannel();
      await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
      await channel.bindQueue(queue, EXCHANGE, '#');
      await channel.consume(queue, () => undefined, { noAck: true });
      process.once('exit', () => void connection.close().catch(() => undefined));
    },
  };
}
