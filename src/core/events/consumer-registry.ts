import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { discover } from '../discovery';
import { CONSUMER_METADATA, ConsumerDefinition, EventConsumer } from './consumer.decorator';
import { inConsumerOrder } from './consumer-order';

export interface RegisteredConsumer extends ConsumerDefinition {
  readonly instance: EventConsumer;
}

/** Every @Consumer provider of the app, found at boot, in their declared order; a name used twice stops start-up. */
@Injectable()
export class ConsumerRegistry implements OnModuleInit {
  private consumers: RegisteredConsumer[] = [];

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    this.consumers = inConsumerOrder(
      discover<ConsumerDefinition, EventConsumer>(this.discovery, CONSUMER_METADATA, 'event consumers', (d) => d.name).map(
        ({ metadata, instance }) => ({ ...metadata, instance }),
      ),
    );
  }

  all(): readonly RegisteredConsumer[] {
    return this.consumers;
  }
}
