import { Injectable } from '@nestjs/common';
import type { EntitlementDetails, FulfillmentChange } from '../contracts/fulfillment.events';

/** What a strategy is asked to provision: one granted entitlement (an order line) of a grant. */
export interface ProvisioningRequest {
  readonly refNo: string;
  readonly customerEmail: string | null;
  readonly test: boolean;
  readonly entitlement: EntitlementDetails;
  /** Stable across retries of this provisioning: send it as the idempotency key of the outside request. */
  readonly idempotencyKey: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/** What came back: the license keys or codes delivered (kept with the call, shown to operators). */
export interface ProvisioningResult {
  readonly licenseCodes: readonly string[];
  /** Anything else worth keeping (the outside system's id for the license, …). */
  readonly details?: Record<string, unknown>;
}

/**
 * The fulfilment extension point: how granted entitlements are provisioned in a system outside this
 * service (a licensing server, a SaaS tenant, a download portal). Fulfilment records one provisioning
 * per granted entitlement the strategy `appliesTo`, in the delivery transaction of the grant; the
 * outside-calls stage calls `provision` after that transaction committed, never inside it, with a
 * timeout (`signal`) and retries with backoff. Throw to be retried.
 */
export interface ProvisioningStrategy {
  appliesTo(entitlement: EntitlementDetails, grant: FulfillmentChange): boolean;
  provision(request: ProvisioningRequest, signal: AbortSignal): Promise<ProvisioningResult>;
}

export interface ProvisioningStrategyDefinition {
  readonly name: string;
}

export const PROVISIONING_STRATEGY_METADATA = Symbol('provisioning-strategy');

/**
 * Marks a provider as a provisioning strategy named `name` (found at boot; unique). Example:
 * `@ProvisioningStrategyFor('acme-licensing') class AcmeLicensing implements ProvisioningStrategy { … }`.
 */
export function ProvisioningStrategyFor(name: string) {
  return <TClass extends new (...args: never[]) => ProvisioningStrategy>(target: TClass): void => {
    Reflect.defineMetadata(PROVISIONING_STRATEGY_METADATA, { name } satisfies ProvisioningStrategyDefinition, target);
    Injectable()(target);
  };
}
