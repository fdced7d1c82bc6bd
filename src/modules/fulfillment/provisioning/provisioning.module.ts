import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ProvisionEntitlementCall } from './provision-entitlement.call';
import { ProvisioningStrategies } from './provisioning-strategies';
import { RecordProvisioningOnGrant } from './record-provisioning-on-grant.consumer';

/** Fulfilment's provisioning stage: strategies (the extension point), recorded on grant, called after. */
@Module({
  imports: [DiscoveryModule],
  providers: [ProvisioningStrategies, RecordProvisioningOnGrant, ProvisionEntitlementCall],
})
export class ProvisioningModule {}
