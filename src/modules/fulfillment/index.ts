export type { EntitlementView } from './application/fulfillment.query';
export { FulfillmentQuery } from './application/fulfillment.query';
export * from './contracts/fulfillment.events';
export { FulfillmentModule } from './fulfillment.module';
