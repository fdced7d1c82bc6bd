import { Injectable } from '@nestjs/common';

export const DELIVERY_TARGET_SOURCE = Symbol('delivery-target-source');

/**
 * Marks a provider implementing DeliveryTargetSource: the delivery stage finds it at boot and asks it
 * for its targets at every poll (subscribers, the mail target, webhook endpoints, the broker).
 */
export function ProvidesDeliveryTargets(): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(DELIVERY_TARGET_SOURCE, true, target);
    Injectable()(target as never);
  };
}
