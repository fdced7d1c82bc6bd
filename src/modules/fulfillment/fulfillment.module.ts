import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProvisioningModule } from './provisioning/provisioning.module';
import { FulfillmentQuery } from './application/fulfillment.query';
import { ProvisioningQuery } from './application/provisioning.query';
import { ReconcileEntitlements } from './consumers/reconcile-entitlements.consumer';
import { EntitlementLineEntity } from './persistence/entitlement-line.entity';
import { EntitlementEntity } from './persistence/entitlement.entity';
import { EntitlementRepository } from './persistence/entitlement.repository';
import { LicenseStateEntity } from './persistence/license-state.entity';

/** Entitlements from paid order lines and subscriptions: granted, held, revoked, expired (level-triggered). */
@Module({
  imports: [ProvisioningModule, TypeOrmModule.forFeature([EntitlementEntity, EntitlementLineEntity, LicenseStateEntity])],
  providers: [EntitlementRepository, FulfillmentQuery, ProvisioningQuery, ReconcileEntitlements],
  exports: [FulfillmentQuery, ProvisioningQuery],
})
export class FulfillmentModule {}
