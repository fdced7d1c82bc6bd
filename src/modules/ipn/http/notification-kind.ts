/** Route metadata: which kind of notification (`NotificationKind`) an endpoint serves. */
export const NOTIFICATION_KIND = 'ipn:notification-kind';
