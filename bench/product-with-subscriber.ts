/**
 * The product with one in-process subscriber (`npm run bench -- --with-subscriber`): what the event log
 * and the delivery stage cost an integrator's subscriber on top of the chain. The subscriber takes the
 * events an integrator typically follows and writes nothing of its own: what is measured is the
 * stage's work for it (a window read from the log, its transaction, its position moved).
 */
import { Module } from '@nestjs/common';
import { EventSubscriber, Subscriber, SubscriberContext } from '../src/core/delivery';
import type { EventOf } from '../src/core/events';
import { FulfillmentGrantedEvent } from '../src/modules/fulfillment';
import { OrderCompletedEvent, OrderPlacedEvent } from '../src/modules/orders';
import { serveOrExit } from '../src/main';

type Followed = EventOf<typeof OrderPlacedEvent> | EventOf<typeof OrderCompletedEvent> | EventOf<typeof FulfillmentGrantedEvent>;

export const BENCH_SUBSCRIBER = 'bench.subscriber';

@Subscriber({ name: BENCH_SUBSCRIBER, from: 'beginning' }, OrderPlacedEvent, OrderCompletedEvent, FulfillmentGrantedEvent)
class BenchSubscriber implements EventSubscriber<Followed> {
  taken = 0;

  handle(events: readonly Followed[], _context: SubscriberContext): Promise<void> {
    this.taken += events.length;
    return Promise.resolve();
  }
}

@Module({ providers: [BenchSubscriber] })
class BenchSubscriberModule {}

serveOrExit([BenchSubscriberModule]);
