export type { SubscriptionView } from './application/subscriptions.query';
export { SubscriptionsQuery } from './application/subscriptions.query';
export * from './contracts/subscription.events';
export { lineKind } from './domain/line-kind';
export { SubscriptionsModule } from './subscriptions.module';
