export { AmqpModule } from './amqp.module';
export { amqpMessageOf } from './application/amqp-message';
export type { AmqpMessage } from './application/amqp-message';
export { asyncApiDocument } from './application/asyncapi';
