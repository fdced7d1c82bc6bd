export type { EngagementView } from './application/engagement.query';
export { EngagementQuery } from './application/engagement.query';
export * from './application/engagement-transport';
export * from './contracts/engagement.events';
export { CustomerEngagementModule } from './customer-engagement.module';
