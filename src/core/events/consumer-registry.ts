import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { CONSUMER_METADATA, ConsumerDefinition, EventConsumer } from './consumer.decorator';

export interface RegisteredConsumer extends ConsumerDefinition {
  readonly instance: EventConsumer;
}

/** Every @Consumer provider of the app, found at boot; a name used twice stops start-up. */
@Injectable()
export class ConsumerRegistry implements OnModuleInit {
  private consumers: RegisteredConsumer[] = [];

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const found: RegisteredConsumer[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const definition = wrapper.metatype && (Reflect.getMetadata(CONSUMER_METADATA, wrapper.metatype) as ConsumerDefinition | undefined);
      if (!definition || !wrapper.instance) continue;
      const twin = found.find((consumer) => consumer.name === definition.name);
      if (twin) {
        throw new Error(
          `Two event consumers are named "${definition.name}" (${twin.instance.constructor.name} and ${wrapper.metatype!.name}): consumer names must be unique.`,
        );
      }
      found.push({ ...definition, instance: wrapper.instance as EventConsumer });
    }
    this.consumers = found;
  }

  all(): readonly RegisteredConsumer[] {
    return this.consumers;
  }

  /** Whether any consumer takes events of this name. */
  consumes(name: string): boolean {
    return this.consumers.some((consumer) => consumer.events.includes(name));
  }
}
