import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { PROVISIONING_STRATEGY_METADATA, ProvisioningStrategy, ProvisioningStrategyDefinition } from './provisioning-strategy';

/** Every @ProvisioningStrategyFor provider of the app, found at boot. */
@Injectable()
export class ProvisioningStrategies implements OnModuleInit {
  private readonly strategies = new Map<string, ProvisioningStrategy>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const definition =
        wrapper.metatype &&
        (Reflect.getMetadata(PROVISIONING_STRATEGY_METADATA, wrapper.metatype) as ProvisioningStrategyDefinition | undefined);
      if (!definition || !wrapper.instance) continue;
      if (this.strategies.has(definition.name)) throw new Error(`Two provisioning strategies are named "${definition.name}"`);
      this.strategies.set(definition.name, wrapper.instance as ProvisioningStrategy);
    }
  }

  all(): ReadonlyMap<string, ProvisioningStrategy> {
    return this.strategies;
  }

  get(name: string): ProvisioningStrategy | undefined {
    return this.strategies.get(name);
  }
}
