import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { ChargebackView, CustomerDetails, OrderItemDetails, RefundView } from '../contracts/order-snapshot';
import { OrderEntity } from '../persistence/order.entity';
import { OrderStatusHistoryEntity } from '../persistence/order-status-history.entity';
import { snapshotOf } from './order-snapshot';

export interface OrderView {
  refNo: string;
  status: string | null;
  test: boolean;
  fraudStatus: string | null;
  currency: string | null;
  customer: CustomerDetails;
  items: OrderItemDetails[];
  /** Every refund, partial ones included, oldest first. */
  refunds: RefundView[];
  chargeback: ChargebackView | null;
  history: Array<{ status: string; fraudStatus: string | null; applied: boolean; ipnDate: string | null; at: Date }>;
  createdAt: Date;
  updatedAt: Date;
}

export type OrderSummary = Omit<OrderView, 'history' | 'customer' | 'items' | 'refunds' | 'chargeback'>;

/** Read side of orders, for the admin API. */
@Injectable()
export class OrdersQuery {
  constructor(
    @InjectRepository(OrderEntity) private readonly orders: Repository<OrderEntity>,
    @InjectRepository(OrderStatusHistoryEntity) private readonly history: Repository<OrderStatusHistoryEntity>,
  ) {}

  async find(refNo: string): Promise<OrderView | null> {
    const order = await this.orders.findOneBy({ refNo });
    if (!order) return null;
    const history = await this.history.find({ where: { refNo }, order: { recordedAt: 'ASC' } });
    const { refunds, chargeback } = snapshotOf(order, order.status ?? '');
    return {
      ...summaryOf(order),
      customer: order.customer,
      items: order.items,
      refunds,
      chargeback,
      history: history.map((entry) => ({
        status: entry.status,
        fraudStatus: entry.fraudStatus,
        applied: entry.applied,
        ipnDate: entry.ipnDate,
        at: entry.recordedAt,
      })),
    };
  }

  async findByEmail(email: string): Promise<OrderSummary[]> {
    const orders = await this.orders
      .createQueryBuilder('o')
      .where(`o.customer->>'email' = :email`, { email: email.trim().toLowerCase() })
      .orderBy('o.created_at', 'ASC')
      .getMany();
    return orders.map(summaryOf);
  }
}

function summaryOf(order: OrderEntity): OrderSummary {
  return {
    refNo: order.refNo,
    status: order.status,
    test: order.test,
    fraudStatus: order.fraudStatus,
    currency: order.currency,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}
