import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EntitlementDetails } from '../contracts/fulfillment.events';
import { EntitlementEntity } from '../persistence/entitlement.entity';

/** Shared steps of granting and revoking, both under the order's fulfilment lock. */
@Injectable()
export class FulfillmentLedger {
  /**
   * Locks fulfilment's row for the order, creating it (`created`: no line of the order is known yet),
   * so grant and revoke never interleave. One statement: the no-op update returns and locks a known row.
   */
  async lock(manager: EntityManager, refNo: string): Promise<{ closed: boolean; created: boolean }> {
    const [row] = await manager.query(
      `INSERT INTO fulfillment_order AS f (ref_no) VALUES ($1)
       ON CONFLICT (ref_no) DO UPDATE SET closed = f.closed
       RETURNING closed, (xmax = 0) AS created`,
      [refNo],
    );
    return row;
  }

  /** Locks the order's row and marks it closed: nothing is granted for it any more. */
  async close(manager: EntityManager, refNo: string): Promise<void> {
    await manager.query(
      `INSERT INTO fulfillment_order AS f (ref_no, closed) VALUES ($1, true)
       ON CONFLICT (ref_no) DO UPDATE SET closed = true`,
      [refNo],
    );
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
