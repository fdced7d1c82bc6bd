import { Inject } from '@nestjs/common';
import {
  EntitlementDetails,
  ProvisioningRequest,
  ProvisioningResult,
  ProvisioningStrategy,
  ProvisioningStrategyFor,
} from '../../src/modules/fulfillment';

export interface AcmeLicensingOptions {
  /** The licensing API, e.g. https://licensing.acme.example */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** 2Checkout product ids (IPN_PID) whose lines Acme licenses. */
  readonly productIds: readonly string[];
}

export const ACME_LICENSING_OPTIONS = Symbol('ACME_LICENSING_OPTIONS');

/**
 * Example (b): a custom provisioning strategy. Fulfilment grants an entitlement per paid line; for the
 * lines this strategy `appliesTo`, fulfilment's provisioning subscriber calls `provision` after the grant committed
 * (never inside the delivery transaction), with a timeout (`signal`) and retries with backoff. The
 * license key it returns is kept (ProvisioningQuery).
 */
@ProvisioningStrategyFor('acme-licensing')
export class AcmeLicensingStrategy implements ProvisioningStrategy {
  constructor(@Inject(ACME_LICENSING_OPTIONS) private readonly options: AcmeLicensingOptions) {}

  appliesTo(entitlement: EntitlementDetails): boolean {
    return this.options.productIds.includes(entitlement.productId);
  }

  async provision(request: ProvisioningRequest, signal: AbortSignal): Promise<ProvisioningResult> {
    const { entitlement } = request;
    const response = await fetch(`${this.options.baseUrl}/v1/licenses`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${this.options.apiKey}`,
        // Retries send the same key: Acme creates the license once.
        'idempotency-key': request.idempotencyKey,
      },
      body: JSON.stringify({
        order: request.refNo,
        line: entitlement.lineNo,
        product: entitlement.productId,
        seats: entitlement.quantity,
        email: request.customerEmail,
        test: request.test,
      }),
      signal,
    });
    if (!response.ok) throw new Error(`Acme licensing answered HTTP ${response.status}`);
    const license = (await response.json()) as { id: string; key: string };
    return { licenseCodes: [license.key], details: { acmeLicenseId: license.id } };
  }
}
