import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ProvisioningRepository } from '../persistence/provisioning.repository';
import { ProvisionOnGrant } from './provision-on-grant.subscriber';
import { ProvisioningStrategies } from './provisioning-strategies';

/** Fulfilment's provisioning: strategies (the extension point), called after each grant by a subscriber. */
@Module({
  imports: [DiscoveryModule],
  providers: [ProvisioningStrategies, ProvisioningRepository, ProvisionOnGrant],
  exports: [ProvisioningRepository],
})
export class ProvisioningModule {}
