import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IpnModule } from '../ipn';
import { GraceExpiryService } from './application/grace-expiry.service';
import { SubscriptionsQuery } from './application/subscriptions.query';
import { ApplyLicenseChanges } from './consumers/apply-license-changes.consumer';
import { ExpireAfterGrace } from './consumers/expire-after-grace.consumer';
import { LinkPaidOrders } from './consumers/link-paid-orders.consumer';
import { SubscriptionOrderEntity } from './persistence/subscription-order.entity';
import { SubscriptionEntity } from './persistence/subscription.entity';
import { SubscriptionRepository } from './persistence/subscription.repository';

/** One subscription per license reference, from paid orders and LCNs; emits license.changed and subscription.*. */
@Module({
  imports: [IpnModule, TypeOrmModule.forFeature([SubscriptionEntity, SubscriptionOrderEntity])],
  providers: [SubscriptionRepository, SubscriptionsQuery, ApplyLicenseChanges, LinkPaidOrders, ExpireAfterGrace, GraceExpiryService],
  exports: [SubscriptionsQuery],
})
export class SubscriptionsModule {}
