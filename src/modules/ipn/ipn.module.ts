import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RecordNotificationUseCase } from './application/record-notification.use-case';
import { RecordRejectionService } from './application/record-rejection.service';
import { ListenerRegistry } from './http/listener-registry';
import { NotificationController } from './http/notification.controller';
import { NotificationSignatureGuard } from './http/notification-signature.guard';
import { IpnNotificationEntity } from './persistence/ipn-notification.entity';
import { IpnRejectionEntity } from './persistence/ipn-rejection.entity';

@Module({
  imports: [TypeOrmModule.forFeature([IpnNotificationEntity, IpnRejectionEntity])],
  controllers: [NotificationController],
  providers: [ListenerRegistry, NotificationSignatureGuard, RecordNotificationUseCase, RecordRejectionService],
})
export class IpnModule {}
