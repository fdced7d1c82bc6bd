import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NotificationActivityQuery } from './application/notification-activity.query';
import { NotificationMessagesQuery } from './application/notification-messages.query';
import { InboxRetentionService } from './application/inbox-retention.service';
import { RecordNotificationUseCase } from './application/record-notification.use-case';
import { RecordRejectionService } from './application/record-rejection.service';
import { RejectionRetentionService } from './application/rejection-retention.service';
import { ReplayNotificationUseCase } from './application/replay-notification.use-case';
import { ReplayNotificationsInRangeUseCase } from './application/replay-notifications-in-range.use-case';
import { StoredNotificationsService } from './application/stored-notifications.service';
import { ListenerRegistry } from './http/listener-registry';
import { NotificationController } from './http/notification.controller';
import { NotificationObserver } from './http/notification-observer';
import { NotificationRefusals } from './http/notification-refusals';
import { NotificationSignatureGuard } from './http/notification-signature.guard';
import { RefusalThrottle } from './http/refusal-throttle';
import { SenderGuard } from './http/sender.guard';
import { IpnNotificationEntity } from './persistence/ipn-notification.entity';
import { IpnRejectionEntity } from './persistence/ipn-rejection.entity';
import { NotificationActivityRepository } from './persistence/notification-activity.repository';
import { NotificationRepository } from './persistence/notification.repository';
import { RejectionRepository } from './persistence/rejection.repository';

@Module({
  imports: [TypeOrmModule.forFeature([IpnNotificationEntity, IpnRejectionEntity])],
  controllers: [NotificationController],
  providers: [
    ListenerRegistry,
    NotificationSignatureGuard,
    SenderGuard,
    NotificationRefusals,
    RefusalThrottle,
    RejectionRetentionService,
    NotificationRepository,
    RejectionRepository,
    StoredNotificationsService,
    RecordNotificationUseCase,
    InboxRetentionService,
    RecordRejectionService,
    ReplayNotificationUseCase,
    NotificationMessagesQuery,
    NotificationObserver,
    NotificationActivityRepository,
    NotificationActivityQuery,
    ReplayNotificationsInRangeUseCase,
  ],
  exports: [
    NotificationObserver,
    StoredNotificationsService,
    ReplayNotificationUseCase,
    ReplayNotificationsInRangeUseCase,
    NotificationMessagesQuery,
    NotificationActivityQuery,
  ],
})
export class IpnModule {}
