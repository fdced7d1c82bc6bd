import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProvisioningModule } from './provisioning/provisioning.module';
import { IpnModule } from '../ipn';
import { FulfillmentQuery } from './application/fulfillment.query';
import { ApplyLicenseChanges } from './consumers/apply-license-changes.consumer';
import { ReconcileEntitlementsOnOrderChange } from './consumers/reconcile-entitlements-on-order-change.consumer';
import { EntitlementEntity } from './persistence/entitlement.entity';
import { EntitlementRepository } from './persistence/entitlement.repository';
import { LicenseStateEntity } from './persistence/license-state.entity';

/** Entitlements granted from paid orders, held on fraud verdicts, revoked on refunds, changed by LCNs. */
@Module({
  imports: [ProvisioningModule, IpnModule, TypeOrmModule.forFeature([EntitlementEntity, LicenseStateEntity])],
  providers: [EntitlementRepository, FulfillmentQuery, ReconcileEntitlementsOnOrderChange, ApplyLicenseChanges],
  exports: [FulfillmentQuery],
})
export class FulfillmentModule {}
