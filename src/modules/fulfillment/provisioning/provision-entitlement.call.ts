import { OutsideCall, OutsideCallContext, OutsideCallHandler } from '../../../core/outside-calls';
import type { EntitlementDetails } from '../contracts/fulfillment.events';
import { ProvisioningStrategies } from './provisioning-strategies';
import type { ProvisioningResult } from './provisioning-strategy';

export interface ProvisionEntitlement {
  strategy: string;
  refNo: string;
  customerEmail: string | null;
  test: boolean;
  entitlement: EntitlementDetails;
}

/** The outside call that runs a strategy's `provision`, after the grant committed. */
@OutsideCall('fulfillment.provision', { timeoutMs: 10_000, maxAttempts: 10 })
export class ProvisionEntitlementCall implements OutsideCallHandler<ProvisionEntitlement> {
  constructor(private readonly strategies: ProvisioningStrategies) {}

  async perform(payload: ProvisionEntitlement, context: OutsideCallContext): Promise<ProvisioningResult> {
    const strategy = this.strategies.get(payload.strategy);
    if (!strategy) throw new Error(`No provisioning strategy "${payload.strategy}" in this build`);
    const { strategy: _name, ...grant } = payload;
    return strategy.provision({ ...grant, idempotencyKey: context.key, attempt: context.attempt }, context.signal);
  }
}
