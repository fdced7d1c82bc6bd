export { DeliveriesService } from './deliveries.service';
export { DeliveryBacklog } from './delivery-backlog';
export type { ChannelBacklog } from './delivery-backlog';
export { DeliveryStage } from './delivery-stage';
export * from './delivery-target';
export { ProvidesDeliveryTargets } from './delivery-targets.decorator';
export * from './delivery.module';
export type { DeliveryItemStatus, DeliveryItemView } from './persistence/delivery.repository';
export * from './subscriber.decorator';
