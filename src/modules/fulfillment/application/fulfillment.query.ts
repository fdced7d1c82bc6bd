import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntitlementStatus } from '../domain/entitlement-policy';

export interface EntitlementView {
  /** The entitlement: the same for every order line that carries one license of one customer (a renewal's and its original's). */
  id: string;
  /** The order's own line. */
  lineNo: number;
  productId: string;
  productName: string;
  quantity: number;
  status: EntitlementStatus;
  licenseRef: string | null;
  licenseExpiresAt: string | null;
  licenseStatus: string | null;
  licenseDisabled: boolean;
  deliveredCodes: string[];
  grantedAt: Date | null;
  revokedAt: Date | null;
}

/** Read side of fulfilment, for the admin API. */
@Injectable()
export class FulfillmentQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The order's fulfilled lines, each with the access it carries (which a later renewal may have extended). */
  forOrder(refNo: string): Promise<EntitlementView[]> {
    return this.dataSource.query(
      `SELECT e.id, l.line_no AS "lineNo", l.product_id AS "productId", l.product_name AS "productName", l.quantity, e.status,
         l.license_ref AS "licenseRef", e.license_expires_at AS "licenseExpiresAt", e.license_status AS "licenseStatus",
         e.license_disabled AS "licenseDisabled", l.delivered_codes AS "deliveredCodes", e.granted_at AS "grantedAt",
         e.revoked_at AS "revokedAt"
       FROM entitlement_line l JOIN entitlement e ON e.id = l.entitlement_id
       WHERE l.ref_no = $1 ORDER BY l.line_no`,
      [refNo],
    );
  }
}
