export * from './batch-consumers';
export * from './consumer-inbox';
export * from './dead-letters.service';
export * from './domain-event';
export * from './events.module';
export * from './on-domain-event.decorator';
export * from './outbox.relay';
export * from './outbox.writer';
