import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IpnModule } from '../ipn';
import { OrdersQuery } from './application/orders.query';
import { ApplyIpnToOrders } from './consumers/apply-ipn-to-orders.consumer';
import { RecomputeOrders } from './consumers/recompute-orders.consumer';
import { OrderEntity } from './persistence/order.entity';
import { OrderStatusHistoryEntity } from './persistence/order-status-history.entity';
import { OrderRepository } from './persistence/order.repository';

/** Orders and their lifecycle, fed by the IPN inbox; emits the order.* events. */
@Module({
  imports: [IpnModule, TypeOrmModule.forFeature([OrderEntity, OrderStatusHistoryEntity])],
  providers: [ApplyIpnToOrders, RecomputeOrders, OrderRepository, OrdersQuery],
  exports: [OrdersQuery],
})
export class OrdersModule {}
