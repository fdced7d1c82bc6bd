import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts';
import { CustomerEngagementModule } from '../customer-engagement';
import { FulfillmentModule } from '../fulfillment';
import { IpnModule } from '../ipn';
import { OrdersModule } from '../orders';
import { OperationsAdminController } from './http/operations.admin.controller';
import { OrdersAdminController } from './http/orders.admin.controller';
import { AdminTokenGuard } from './http/admin-token.guard';

/** The read and admin API under /api, behind ADMIN_TOKEN. */
@Module({
  imports: [IpnModule, OrdersModule, AccountsModule, FulfillmentModule, CustomerEngagementModule],
  controllers: [OrdersAdminController, OperationsAdminController],
  providers: [AdminTokenGuard],
})
export class AdminModule {}
