import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DeliveriesService } from './deliveries.service';
import { DeliveryBacklog } from './delivery-backlog';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryRetention } from './delivery-retention';
import { DeliveryStage } from './delivery-stage';
import { DeliveryRepository } from './persistence/delivery.repository';
import { SubscriberTargets } from './subscriber-targets';

/** The delivery stage: everything that leaves the database after the commit, from the event log. */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [DeliveryRepository, DeliveryMetrics, DeliveryStage, DeliveryBacklog, SubscriberTargets, DeliveriesService, DeliveryRetention],
  exports: [DeliveriesService, DeliveryBacklog, DeliveryStage],
})
export class DeliveryModule {}
