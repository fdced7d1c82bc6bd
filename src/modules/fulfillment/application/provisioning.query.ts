import { Injectable } from '@nestjs/common';
import { ProvisioningRepository, ProvisioningView } from '../persistence/provisioning.repository';

export type { ProvisioningView } from '../persistence/provisioning.repository';

/** What provisioning strategies returned for an order's grants (license codes), for operators and integrators. */
@Injectable()
export class ProvisioningQuery {
  constructor(private readonly provisionings: ProvisioningRepository) {}

  ofOrder(refNo: string): Promise<ProvisioningView[]> {
    return this.provisionings.ofOrder(refNo);
  }
}
