import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EntitlementDetails } from '../contracts/fulfillment.events';
import { EntitlementEntity } from '../persistence/entitlement.entity';
import { FulfillmentOrderEntity } from '../persistence/fulfillment-order.entity';

/** Shared steps of granting and revoking, both under the order's fulfilment lock. */
@Injectable()
export class FulfillmentLedger {
  /** Locks fulfilment's row for the order (creating it), so grant and revoke never interleave. */
  async lock(manager: EntityManager, refNo: string): Promise<FulfillmentOrderEntity> {
    await manager.createQueryBuilder().insert().into(FulfillmentOrderEntity).values({ refNo }).orIgnore().execute();
    return manager.findOneOrFail(FulfillmentOrderEntity, { where: { refNo }, lock: { mode: 'pessimistic_write' } });
  }

  entitlements(manager: EntityManager, refNo: string): Promise<EntitlementEntity[]> {
    return manager.find(EntitlementEntity, { where: { refNo }, order: { lineNo: 'ASC' } });
  }
}

export function detailsOf(entitlement: EntitlementEntity): EntitlementDetails {
  return {
    entitlementId: entitlement.id,
    lineNo: entitlement.lineNo,
    productId: entitlement.productId,
    productName: entitlement.productName,
    quantity: entitlement.quantity,
    licenseRef: entitlement.licenseRef,
    licenseExpiresAt: entitlement.licenseExpiresAt,
    deliveredCodes: entitlement.deliveredCodes,
  };
}
