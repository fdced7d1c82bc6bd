export type { NotificationMessageView } from './application/notification-messages.query';
export { NotificationMessagesQuery } from './application/notification-messages.query';
export type { NotificationProcessor, StoredNotification } from './application/notification-processors';
export { NotificationProcessors } from './application/notification-processors';
export { ReplayNotificationUseCase } from './application/replay-notification.use-case';
export { IpnModule } from './ipn.module';
export * from './protocol';
