import { Inject, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { discover } from '../discovery';
import { EventFilter } from '../events';
import { TransactionalTarget, exponentialRetry } from './delivery-target';
import { ProvidesDeliveryTargets } from './delivery-targets.decorator';
import { EventSubscriber, SUBSCRIBER_METADATA, SubscriberDefinition } from './subscriber.decorator';

/** Every @Subscriber of the app as a target of the delivery stage (`subscriber:<name>`). */
@ProvidesDeliveryTargets()
export class SubscriberTargets implements OnModuleInit {
  private list: TransactionalTarget[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const { backoffMs, maxAttempts } = this.config.events;
    this.list = discover<SubscriberDefinition, EventSubscriber>(
      this.discovery,
      SUBSCRIBER_METADATA,
      'event subscribers',
      (d) => d.name,
    ).map(({ metadata, instance }) => ({
      kind: 'transaction',
      name: `subscriber:${metadata.name}`,
      channel: 'subscriber',
      filter: new EventFilter(metadata.events),
      startAt: metadata.from,
      timeoutMs: this.config.delivery.subscriberTimeoutMs,
      retry: exponentialRetry(backoffMs, maxAttempts),
      handle: (events, context) => instance.handle(events, context),
    }));
  }

  targets(): readonly TransactionalTarget[] {
    return this.list;
  }
}
