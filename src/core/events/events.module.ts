import { Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ConsumerInbox } from './consumer-inbox';
import { DeadLettersService } from './dead-letters.service';
import { DeliveryScope } from './delivery-scope';
import { OutboxRelay } from './outbox.relay';
import { OutboxWriter } from './outbox.writer';

/** Domain events: the outbox writer for producers, the inbox for consumers, the relay between them. */
@Global()
@Module({
  imports: [EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: false })],
  providers: [OutboxWriter, OutboxRelay, ConsumerInbox, DeadLettersService, DeliveryScope],
  exports: [OutboxWriter, OutboxRelay, ConsumerInbox, DeadLettersService],
})
export class EventsModule {}
