import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IpnModule } from '../ipn';
import { ApplyLicenseChangeProcessor } from './application/apply-license-change.processor';
import { FulfillmentLedger } from './application/fulfillment-ledger';
import { FulfillmentQuery } from './application/fulfillment.query';
import { GrantEntitlementsOnOrderPaid } from './consumers/grant-entitlements-on-order-paid.consumer';
import { RevokeEntitlementsOnOrderClosedListener } from './consumers/revoke-entitlements-on-order-closed.listener';
import { EntitlementEntity } from './persistence/entitlement.entity';
import { FulfillmentOrderEntity } from './persistence/fulfillment-order.entity';
import { LicenseStateEntity } from './persistence/license-state.entity';

/** Entitlements granted from paid orders, revoked on refunds, changed by LCNs. */
@Module({
  imports: [IpnModule, TypeOrmModule.forFeature([EntitlementEntity, FulfillmentOrderEntity, LicenseStateEntity])],
  providers: [
    FulfillmentLedger,
    FulfillmentQuery,
    GrantEntitlementsOnOrderPaid,
    RevokeEntitlementsOnOrderClosedListener,
    ApplyLicenseChangeProcessor,
  ],
  exports: [FulfillmentQuery],
})
export class FulfillmentModule {}
