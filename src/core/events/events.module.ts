import { Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ConsumerInbox } from './consumer-inbox';
import { BatchConsumers } from './batch-consumers';
import { DeadLettersService } from './dead-letters.service';
import { OutboxRelay } from './outbox.relay';
import { OutboxWriter } from './outbox.writer';

/** Domain events: the outbox writer for producers, the inbox for consumers, the relay between them. */
@Global()
@Module({
  imports: [EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: false })],
  providers: [OutboxWriter, OutboxRelay, ConsumerInbox, DeadLettersService, BatchConsumers],
  exports: [OutboxWriter, OutboxRelay, ConsumerInbox, DeadLettersService, BatchConsumers],
})
export class EventsModule {}
