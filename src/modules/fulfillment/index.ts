export type { EntitlementView } from './application/fulfillment.query';
export { FulfillmentQuery } from './application/fulfillment.query';
export * from './contracts/fulfillment.events';
export { FulfillmentModule } from './fulfillment.module';
export { ProvisioningStrategyFor } from './provisioning/provisioning-strategy';
export type { ProvisioningRequest, ProvisioningResult, ProvisioningStrategy } from './provisioning/provisioning-strategy';
export { ProvisioningQuery } from './application/provisioning.query';
export type { ProvisioningView } from './application/provisioning.query';
