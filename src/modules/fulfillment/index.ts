export type { EntitlementView } from './application/fulfillment.query';
export { FulfillmentQuery } from './application/fulfillment.query';
export * from './contracts/fulfillment.events';
export { FulfillmentModule } from './fulfillment.module';
export { ProvisioningStrategyFor } from './provisioning/provisioning-strategy';
export type { ProvisioningRequest, ProvisioningResult, ProvisioningStrategy } from './provisioning/provisioning-strategy';
export { ProvisionEntitlementCall } from './provisioning/provision-entitlement.call';
export type { ProvisionEntitlement } from './provisioning/provision-entitlement.call';
// license.changed moved to the subscriptions module, which now applies LCNs; integrators' imports from here keep working.
export { LicenseChangedEvent } from '../subscriptions';
export type { LicenseChange } from '../subscriptions';
