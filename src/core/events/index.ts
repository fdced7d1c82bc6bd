export * from './consumer.decorator';
export { ConsumerRegistry } from './consumer-registry';
export * from './dead-letters.service';
export * from './domain-event';
export * from './events.module';
export { OutboxRelay } from './outbox.relay';
export { OutboxRetention } from './outbox-retention';
export { OutboxRepository } from './persistence/outbox.repository';
export type { DueEvent } from './persistence/outbox.repository';
