import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import type { SubscriptionOrderKind, SubscriptionSnapshot } from '../contracts/subscription.events';
import { statusShown } from '../domain/subscription-state';
import { SubscriptionOrderEntity } from '../persistence/subscription-order.entity';
import { SubscriptionEntity } from '../persistence/subscription.entity';

export interface SubscriptionView extends SubscriptionSnapshot {
  /** The paid orders that carry the license, oldest first. */
  orders: Array<{ refNo: string; kind: SubscriptionOrderKind; at: Date }>;
  createdAt: Date;
  updatedAt: Date;
}

/** Read side of subscriptions, for the admin API. */
@Injectable()
export class SubscriptionsQuery {
  constructor(
    @InjectRepository(SubscriptionEntity) private readonly subscriptions: Repository<SubscriptionEntity>,
    @InjectRepository(SubscriptionOrderEntity) private readonly orders: Repository<SubscriptionOrderEntity>,
  ) {}

  async find(licenseRef: string): Promise<SubscriptionView | null> {
    const [view] = await this.views(await this.subscriptions.findBy({ licenseRef }));
    return view ?? null;
  }

  async findByEmail(email: string): Promise<SubscriptionView[]> {
    return this.views(await this.subscriptions.find({ where: { email: email.trim().toLowerCase() }, order: { createdAt: 'ASC' } }));
  }

  private async views(rows: readonly SubscriptionEntity[]): Promise<SubscriptionView[]> {
    if (rows.length === 0) return [];
    const links = await this.orders.find({
      where: { licenseRef: In(rows.map((row) => row.licenseRef)) },
      order: { linkedAt: 'ASC', refNo: 'ASC' },
    });
    return rows.map((row) => ({
      licenseRef: row.licenseRef,
      productId: row.productId,
      productName: row.productName,
      status: statusShown(row),
      expiresAt: row.expiresAt,
      cancelAtPeriodEnd: row.cancelAtPeriodEnd,
      gracePeriodDays: row.gracePeriodDays,
      nextRenewalDate: row.nextRenewalDate,
      nextRenewalPrice: row.nextRenewalPrice,
      email: row.email,
      licenseStatus: row.licenseStatus,
      disabled: row.disabled,
      licenseType: row.licenseType,
      test: row.test,
      orders: links
        .filter((link) => link.licenseRef === row.licenseRef)
        .map((link) => ({ refNo: link.refNo, kind: link.kind, at: link.linkedAt })),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    }));
  }
}
