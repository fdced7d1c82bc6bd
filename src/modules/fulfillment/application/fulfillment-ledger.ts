import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import type { EntitlementDetails } from '../contracts/fulfillment.events';
import { EntitlementEntity } from '../persistence/entitlement.entity';

/** Shared steps of granting and revoking, both under the order's fulfilment lock. */
@Injectable()
export class FulfillmentLedger {
  /**
   * Locks fulfilment's rows for the orders, creating them (`created`: no line of the order is known
   * yet), so grant and revoke never interleave. One statement, in REFNO order so that concurrent
   * batches lock in the same order; the no-op update returns and locks a known row.
   */
  async lock(manager: EntityManager, refNos: readonly string[]): Promise<Map<string, { closed: boolean; created: boolean }>> {
    const rows: Array<{ ref_no: string; closed: boolean; created: boolean }> = await manager.query(
      `INSERT INTO fulfillment_order AS f (ref_no) SELECT DISTINCT unnest($1::text[]) ORDER BY 1
       ON CONFLICT (ref_no) DO UPDATE SET closed = f.closed
       RETURNING ref_no, closed, (xmax = 0) AS created`,
      [refNos],
    );
    return new Map(rows.map((row) => [row.ref_no, { closed: row.closed, created: row.created }]));
  }

  /** Locks the order's row and marks it closed: nothing is granted for it any more. */
  async close(manager: EntityManager, refNo: string): Promise<void> {
    await manager.query(
      `INSERT INTO fulfillment_order AS f (ref_no, closed) VALUES ($1, true)
       ON CONFLICT (ref_no) DO UPDATE SET closed = true`,
      [refNo],
    );
  }

  /** The orders' lines, by REFNO, in line order. */
  async entitlements(manager: EntityManager, refNos: readonly string[]): Promise<Map<string, EntitlementEntity[]>> {
    const byOrder = new Map<string, EntitlementEntity[]>();
    if (refNos.length === 0) return byOrder;
    const rows = await manager.find(EntitlementEntity, { where: { refNo: In([...refNos]) }, order: { refNo: 'ASC', lineNo: 'ASC' } });
    for (const row of rows) byOrder.set(row.refNo, [...(byOrder.get(row.refNo) ?? []), row]);
    return byOrder;
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
