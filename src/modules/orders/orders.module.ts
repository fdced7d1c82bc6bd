import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IpnModule } from '../ipn';
import { ApplyIpnToOrderProcessor } from './application/apply-ipn-to-order.processor';
import { OrdersQuery } from './application/orders.query';
import { OrderEntity } from './persistence/order.entity';
import { OrderStatusHistoryEntity } from './persistence/order-status-history.entity';

/** Orders and their lifecycle, fed by the IPN inbox; emits the order.* events. */
@Module({
  imports: [IpnModule, TypeOrmModule.forFeature([OrderEntity, OrderStatusHistoryEntity])],
  providers: [ApplyIpnToOrderProcessor, OrdersQuery],
  exports: [OrdersQuery],
})
export class OrdersModule {}
