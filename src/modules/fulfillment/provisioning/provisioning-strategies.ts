import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { discover } from '../../../core/discovery';
import { PROVISIONING_STRATEGY_METADATA, ProvisioningStrategy, ProvisioningStrategyDefinition } from './provisioning-strategy';

/** Every @ProvisioningStrategyFor provider of the app, found at boot. */
@Injectable()
export class ProvisioningStrategies implements OnModuleInit {
  private strategies = new Map<string, ProvisioningStrategy>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const found = discover<ProvisioningStrategyDefinition, ProvisioningStrategy>(
      this.discovery,
      PROVISIONING_STRATEGY_METADATA,
      'provisioning strategies',
      (definition) => definition.name,
    );
    this.strategies = new Map(found.map(({ metadata, instance }) => [metadata.name, instance]));
  }

  all(): ReadonlyMap<string, ProvisioningStrategy> {
    return this.strategies;
  }
}
