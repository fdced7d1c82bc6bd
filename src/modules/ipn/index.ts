export type { NotificationMessageView } from './application/notification-messages.query';
export { NotificationMessagesQuery } from './application/notification-messages.query';
export * from './contracts/notification.events';
export { StoredNotifications } from './application/stored-notifications.service';
export type { StoredNotification } from './application/stored-notifications.service';
export { ReplayNotificationUseCase } from './application/replay-notification.use-case';
export { IpnModule } from './ipn.module';
export * from './protocol';
