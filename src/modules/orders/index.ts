export type { OrderSummary, OrderView } from './application/orders.query';
export { OrdersQuery } from './application/orders.query';
export * from './contracts/order-snapshot';
export * from './contracts/order.events';
export { OrdersModule } from './orders.module';
export { fraudVerdict } from './domain/order-status';
export type { FraudVerdict } from './domain/order-status';
