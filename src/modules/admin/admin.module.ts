import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts';
import { CustomerEngagementModule } from '../customer-engagement';
import { FulfillmentModule } from '../fulfillment';
import { IpnModule } from '../ipn';
import { OrdersModule } from '../orders';
import { SubscriptionsModule } from '../subscriptions';
import { AsyncApiAdminController } from './http/asyncapi.admin.controller';
import { DeliveriesAdminController } from './http/deliveries.admin.controller';
import { EventsAdminController } from './http/events.admin.controller';
import { EventsReaderGuard } from './http/events-reader.guard';
import { OperationsAdminController } from './http/operations.admin.controller';
import { OrdersAdminController } from './http/orders.admin.controller';
import { SubscriptionsAdminController } from './http/subscriptions.admin.controller';
import { AdminTokenGuard } from './http/admin-token.guard';
import { AdminAuditLogService } from './application/admin-audit-log.service';
import { AdminThrottleGuard } from './http/admin-throttle.guard';
import { AuditAdminController } from './http/audit.admin.controller';
import { AuditInterceptor } from './http/audited.decorator';
import { AdminAuditEntity } from './persistence/admin-audit.entity';
import { AdminAuditRepository } from './persistence/admin-audit.repository';

/** The read and admin API under /api, behind ADMIN_TOKEN, rate-limited; replays and retries audited. */
@Module({
  imports: [
    TypeOrmModule.forFeature([AdminAuditEntity]),
    IpnModule,
    OrdersModule,
    AccountsModule,
    FulfillmentModule,
    CustomerEngagementModule,
    SubscriptionsModule,
  ],
  controllers: [
    OrdersAdminController,
    OperationsAdminController,
    AuditAdminController,
    SubscriptionsAdminController,
    EventsAdminController,
    DeliveriesAdminController,
    AsyncApiAdminController,
  ],
  providers: [AdminTokenGuard, EventsReaderGuard, AdminThrottleGuard, AuditInterceptor, AdminAuditLogService, AdminAuditRepository],
  // The console records its changes in the same audit log.
  exports: [AdminAuditLogService],
})
export class AdminModule {}
