import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConsumerRegistry } from './consumer-registry';
import { DeadLettersService } from './dead-letters.service';
import { EventDispatcher } from './event-dispatcher';
import { EventMetrics } from './event-metrics';
import { EventLogSignal } from './event-log-signal';
import { EventFeed } from './event-feed';
import { EventHistoryQuery } from './event-history.query';
import { OutboxRelay } from './outbox.relay';
import { OutboxRetention } from './outbox-retention';
import { OutboxEventEntity } from './persistence/outbox-event.entity';
import { EventLogRepository } from './persistence/event-log.repository';
import { OutboxRepository } from './persistence/outbox.repository';

/** Domain events: the outbox, the relay that delivers it to @Consumer classes, retention. */
@Global()
@Module({
  imports: [DiscoveryModule, EventEmitterModule.forRoot({ wildcard: false }), TypeOrmModule.forFeature([OutboxEventEntity])],
  providers: [
    ConsumerRegistry,
    EventDispatcher,
    EventMetrics,
    OutboxRepository,
    EventLogRepository,
    EventLogSignal,
    EventFeed,
    OutboxRelay,
    OutboxRetention,
    DeadLettersService,
    EventHistoryQuery,
  ],
  exports: [
    OutboxRepository,
    EventLogRepository,
    EventLogSignal,
    EventFeed,
    OutboxRelay,
    OutboxRetention,
    DeadLettersService,
    ConsumerRegistry,
    EventMetrics,
    EventHistoryQuery,
  ],
})
export class EventsModule {}
