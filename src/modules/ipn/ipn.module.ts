import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NotificationMessagesQuery } from './application/notification-messages.query';
import { NotificationProcessors } from './application/notification-processors';
import { RecordNotificationUseCase } from './application/record-notification.use-case';
import { RecordRejectionService } from './application/record-rejection.service';
import { ReplayNotificationUseCase } from './application/replay-notification.use-case';
import { ListenerRegistry } from './http/listener-registry';
import { NotificationController } from './http/notification.controller';
import { NotificationSignatureGuard } from './http/notification-signature.guard';
import { IpnNotificationEntity } from './persistence/ipn-notification.entity';
import { IpnRejectionEntity } from './persistence/ipn-rejection.entity';

@Module({
  imports: [TypeOrmModule.forFeature([IpnNotificationEntity, IpnRejectionEntity])],
  controllers: [NotificationController],
  providers: [
    ListenerRegistry,
    NotificationSignatureGuard,
    NotificationProcessors,
    RecordNotificationUseCase,
    RecordRejectionService,
    ReplayNotificationUseCase,
    NotificationMessagesQuery,
  ],
  exports: [NotificationProcessors, ReplayNotificationUseCase, NotificationMessagesQuery],
})
export class IpnModule {}
