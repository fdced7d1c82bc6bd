import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EntitlementStatus } from './entitlement.entity';

export interface EntitlementRow {
  id: string;
  refNo: string;
  lineNo: number;
  productId: string;
  productName: string;
  quantity: number;
  licenseRef: string | null;
  licenseExpiresAt: string | null;
  licenseStatus: string | null;
  licenseDisabled: boolean;
  deliveredCodes: string[];
  status: EntitlementStatus;
  test: boolean;
  customerEmail: string | null;
}

export interface LicenseState {
  licenseCode: string;
  expirationDate: string | null;
  status: string | null;
  disabled: boolean;
  dateUpdated: string | null;
}

const ROW = `id, ref_no AS "refNo", line_no AS "lineNo", product_id AS "productId", product_name AS "productName", quantity,
  license_ref AS "licenseRef", license_expires_at AS "licenseExpiresAt", license_status AS "licenseStatus",
  license_disabled AS "licenseDisabled", delivered_codes AS "deliveredCodes", status, test, customer_email AS "customerEmail"`;

/** Every statement on entitlements and license states; arrays through unnest, one statement a batch. */
@Injectable()
export class EntitlementRepository {
  async forOrders(manager: EntityManager, refNos: readonly string[]): Promise<EntitlementRow[]> {
    return manager.query(`SELECT ${ROW} FROM entitlement WHERE ref_no = ANY($1::text[]) ORDER BY ref_no, line_no`, [refNos]);
  }

  async insert(manager: EntityManager, rows: readonly EntitlementRow[]): Promise<void> {
    if (rows.length === 0) return;
    const column = <T>(pick: (row: EntitlementRow) => T): T[] => rows.map(pick);
    await manager.query(
      `INSERT INTO entitlement (id, ref_no, line_no, product_id, product_name, quantity, license_ref, license_expires_at,
         license_status, license_disabled, delivered_codes, status, test, customer_email, granted_at, revoked_at)
       SELECT id, ref_no, line_no, product_id, product_name, quantity, license_ref, license_expires_at, license_status,
         license_disabled, delivered_codes::jsonb, status, test, customer_email,
         CASE WHEN status = 'granted' THEN now() END, CASE WHEN status = 'revoked' THEN now() END
       FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[],
         $10::boolean[], $11::text[], $12::text[], $13::boolean[], $14::text[])
         AS e(id, ref_no, line_no, product_id, product_name, quantity, license_ref, license_expires_at, license_status,
           license_disabled, delivered_codes, status, test, customer_email)`,
      [
        column((row) => row.id),
        column((row) => row.refNo),
        column((row) => row.lineNo),
        column((row) => row.productId),
        column((row) => row.productName),
        column((row) => row.quantity),
        column((row) => row.licenseRef),
        column((row) => row.licenseExpiresAt),
        column((row) => row.licenseStatus),
        column((row) => row.licenseDisabled),
        column((row) => JSON.stringify(row.deliveredCodes)),
        column((row) => row.status),
        column((row) => row.test),
        column((row) => row.customerEmail),
      ],
    );
  }

  /** Moves lines to new statuses, stamping when they were granted or revoked. */
  async setStatuses(manager: EntityManager, changes: ReadonlyArray<{ id: string; status: EntitlementStatus }>): Promise<void> {
    if (changes.length === 0) return;
    await manager.query(
      `UPDATE entitlement AS e SET status = c.status, updated_at = now(),
         granted_at = CASE WHEN c.status = 'granted' THEN now() ELSE e.granted_at END,
         revoked_at = CASE WHEN c.status = 'revoked' THEN now() ELSE e.revoked_at END
       FROM unnest($1::uuid[], $2::text[]) AS c(id, status) WHERE e.id = c.id`,
      [changes.map((change) => change.id), changes.map((change) => change.status)],
    );
  }

  async licenses(manager: EntityManager, codes: readonly string[]): Promise<Map<string, LicenseState>> {
    if (codes.length === 0) return new Map();
    const rows: LicenseState[] = await manager.query(
      `SELECT license_code AS "licenseCode", expiration_date AS "expirationDate", status, disabled, date_updated AS "dateUpdated"
       FROM license_state WHERE license_code = ANY($1::text[])`,
      [codes],
    );
    return new Map(rows.map((row) => [row.licenseCode, row]));
  }

  /** The license's state, created empty if unknown, locked for the caller's transaction. */
  async lockLicense(manager: EntityManager, licenseCode: string): Promise<LicenseState> {
    const [row] = await manager.query(
      `INSERT INTO license_state AS l (license_code) VALUES ($1) ON CONFLICT (license_code) DO UPDATE SET license_code = l.license_code
       RETURNING license_code AS "licenseCode", expiration_date AS "expirationDate", status, disabled, date_updated AS "dateUpdated"`,
      [licenseCode],
    );
    return row;
  }

  /** Stores the license's new state and copies it onto the entitlements that carry the license. */
  async saveLicense(manager: EntityManager, license: LicenseState): Promise<void> {
    await manager.query(
      `UPDATE license_state SET expiration_date = $2, status = $3, disabled = $4, date_updated = $5 WHERE license_code = $1`,
      [license.licenseCode, license.expirationDate, license.status, license.disabled, license.dateUpdated],
    );
    await manager.query(
      `UPDATE entitlement SET license_expires_at = $2, license_status = $3, license_disabled = $4, updated_at = now() WHERE license_ref = $1`,
      [license.licenseCode, license.expirationDate, license.status, license.disabled],
    );
  }
}
