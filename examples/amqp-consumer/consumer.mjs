// A consumer of the IPN backend's events on RabbitMQ: plain Node and amqplib, no framework.
//
//   AMQP_URL=amqp://user:pass@mq:5672 QUEUE=crm.ipn-events BINDINGS='order.*,subscription.*' node consumer.mjs
//
// Delivery is at least once (a publish whose confirm was lost is published again), so the consumer
// dedupes on messageId (the event id). Here the ids already handled are kept in a file; a real
// consumer records them in the same transaction as the work the event causes, so that "done" and
// "seen" cannot part. One message at a time (prefetch 1) keeps an order's events in their order.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import amqp from 'amqplib';

const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const exchange = process.env.AMQP_EXCHANGE ?? 'ipn.events';
const queue = process.env.QUEUE ?? 'example.ipn-events';
const bindings = (process.env.BINDINGS ?? '#').split(',').map((pattern) => pattern.trim());
const seenFile = process.env.SEEN_FILE ?? 'seen-message-ids.txt';

const seen = new Set(existsSync(seenFile) ? readFileSync(seenFile, 'utf8').split('\n').filter(Boolean) : []);

/** What this consumer does with an event: here, print it as one JSON line. */
function handle(event) {
  console.log(JSON.stringify({ handled: event.eventId, name: event.name, orderRef: event.orderRef, test: event.test }));
}

const connection = await amqp.connect(url);
const channel = await connection.createChannel();
// The same declaration as the publisher's (a different one is refused by the broker).
await channel.assertExchange(exchange, 'topic', { durable: true });
// Durable: messages published while this consumer is down wait in the queue.
await channel.assertQueue(queue, { durable: true });
for (const pattern of bindings) await channel.bindQueue(queue, exchange, pattern);
await channel.prefetch(1);

await channel.consume(queue, (message) => {
  if (!message) return; // the queue was deleted
  const id = message.properties.messageId;
  if (seen.has(id)) {
    console.log(JSON.stringify({ duplicate: id }));
  } else {
    handle(JSON.parse(message.content.toString('utf8')));
    appendFileSync(seenFile, `${id}\n`);
    seen.add(id);
  }
  channel.ack(message);
});
console.log(JSON.stringify({ consuming: queue, exchange, bindings }));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await channel.close();
    await connection.close();
    process.exit(0);
  });
}
