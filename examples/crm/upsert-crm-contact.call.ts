import { Inject } from '@nestjs/common';
import { OutsideCall, OutsideCallContext, OutsideCallHandler } from '../../src/core/outside-calls';
import { CRM_OPTIONS, CrmOptions } from './crm.options';

/** What the CRM is told about a customer. */
export interface CrmContactUpdate {
  email: string;
  firstName: string | null;
  lastName: string | null;
  /** Orders completed and products granted, as they happen. */
  activity:
    { type: 'order_completed'; refNo: string; total: string | null } | { type: 'access_granted'; refNo: string; products: string[] };
  test: boolean;
}

/**
 * The call to the CRM, made by the outside-calls stage after the delivery committed: never inside the
 * transaction, with a timeout (the signal) and retries. The key is the idempotency key.
 */
@OutsideCall('crm.upsert-contact', { timeoutMs: 1000, maxAttempts: 5 })
export class UpsertCrmContact implements OutsideCallHandler<CrmContactUpdate> {
  constructor(@Inject(CRM_OPTIONS) private readonly options: CrmOptions) {}

  async perform(update: CrmContactUpdate, { key, signal }: OutsideCallContext): Promise<{ status: number }> {
    const response = await fetch(`${this.options.baseUrl}/contacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.apiKey}`, 'idempotency-key': key },
      body: JSON.stringify(update),
      signal,
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`the CRM answered HTTP ${response.status}`);
    return { status: response.status };
  }
}
