import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Candidate, LineKind } from '../domain/entitlement-binding';
import type { EntitlementStatus, LineStatus } from '../domain/entitlement-policy';

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

export interface LineRow {
  refNo: string;
  lineNo: number;
  entitlementId: string;
  status: LineStatus;
  kind: LineKind;
  productId: string;
  productName: string;
  quantity: number;
  licenseRef: string | null;
  licenseExpiresAt: string | null;
  deliveredCodes: string[];
}

export interface LicenseState {
  licenseCode: string;
  expirationDate: string | null;
  status: string | null;
  disabled: boolean;
  subscriptionStatus: string | null;
}

/** Which entitlements to lock: by id, by the line that created them, by license. */
export interface EntitlementKeys {
  ids: readonly string[];
  lines: ReadonlyArray<{ refNo: string; lineNo: number }>;
  licenseRefs: readonly string[];
}

const ROW = `id, ref_no AS "refNo", line_no AS "lineNo", product_id AS "productId", product_name AS "productName", quantity,
  license_ref AS "licenseRef", license_expires_at AS "licenseExpiresAt", license_status AS "licenseStatus",
  license_disabled AS "licenseDisabled", delivered_codes AS "deliveredCodes", status, test, customer_email AS "customerEmail"`;

const LINE = `ref_no AS "refNo", line_no AS "lineNo", entitlement_id AS "entitlementId", status, kind, product_id AS "productId",
  product_name AS "productName", quantity, license_ref AS "licenseRef", license_expires_at AS "licenseExpiresAt",
  delivered_codes AS "deliveredCodes"`;

const LICENSE = `license_code AS "licenseCode", expiration_date AS "expirationDate", status, disabled, subscription_status AS "subscriptionStatus"`;

/**
 * Every statement on entitlements, their lines and license states; arrays through unnest, one statement a
 * step. Rows are found by key, one index probe per key (LATERAL subqueries the planner cannot flatten into a
 * hash join) and written by key (INSERT … ON CONFLICT DO UPDATE on rows known to exist): `= ANY(keys)` or a
 * join on an unnested array is planned as a scan of the table on a database without column statistics.
 */
@Injectable()
export class EntitlementRepository {
  /** The lines of these orders already recorded, by `refNo|lineNo`: a line keeps the entitlement it joined. */
  async linesOfOrders(manager: EntityManager, refNos: readonly string[]): Promise<Map<string, LineRow>> {
    const rows: LineRow[] = await manager.query(
      `SELECT l.* FROM unnest($1::text[]) AS k(ref_no)
       CROSS JOIN LATERAL (SELECT ${LINE} FROM entitlement_line WHERE ref_no = k.ref_no OFFSET 0) AS l`,
      [refNos],
    );
    return new Map(rows.map((row) => [`${row.refNo}|${row.lineNo}`, row]));
  }

  async linesOf(manager: EntityManager, entitlementIds: readonly string[]): Promise<LineRow[]> {
    if (entitlementIds.length === 0) return [];
    return manager.query(
      `SELECT l.* FROM (SELECT DISTINCT unnest($1::uuid[])) AS k(id)
       CROSS JOIN LATERAL (SELECT ${LINE} FROM entitlement_line WHERE entitlement_id = k.id OFFSET 0) AS l`,
      [entitlementIds],
    );
  }

  /**
   * Creates entitlements (under the license locks, so no two are made for one license at once); a line
   * that already created one keeps it (ON CONFLICT: its (REFNO, line) is unique).
   */
  async createMissing(manager: EntityManager, rows: readonly EntitlementRow[]): Promise<void> {
    if (rows.length === 0) return;
    const column = <T>(pick: (row: EntitlementRow) => T): T[] => rows.map(pick);
    await manager.query(
      `INSERT INTO entitlement (id, ref_no, line_no, product_id, product_name, quantity, license_ref, license_expires_at,
         license_status, license_disabled, delivered_codes, status, test, customer_email)
       SELECT id, ref_no, line_no, product_id, product_name, quantity, license_ref, license_expires_at, license_status,
         license_disabled, delivered_codes::jsonb, status, test, customer_email
       FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[],
         $9::text[], $10::boolean[], $11::text[], $12::text[], $13::boolean[], $14::text[])
         AS e(id, ref_no, line_no, product_id, product_name, quantity, license_ref, license_expires_at, license_status,
           license_disabled, delivered_codes, status, test, customer_email)
       ON CONFLICT DO NOTHING`,
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

  /**
   * The entitlements of these licenses a line could join (domain/entitlement-binding): the orphans
   * (no purchase yet) and, per license, the earliest bought one, which is all a renewal joins. (A
   * license reference several purchases share must not make every batch read all of them.)
   */
  async candidates(manager: EntityManager, licenseRefs: readonly string[]): Promise<Candidate[]> {
    if (licenseRefs.length === 0) return [];
    return manager.query(
      `WITH c AS (
         SELECT e.* FROM (SELECT DISTINCT unnest($1::text[])) AS k(license_ref)
         CROSS JOIN LATERAL (
           SELECT e.id, e.ref_no AS "refNo", e.line_no AS "lineNo", e.license_ref AS "licenseRef",
             -- A probe per row through the index (LIMIT keeps the planner from hashing the whole table).
             (SELECT true FROM entitlement_line l WHERE l.entitlement_id = e.id AND l.kind = 'new' LIMIT 1) IS NOT NULL AS bought
           FROM entitlement e WHERE e.license_ref = k.license_ref OFFSET 0) AS e)
       SELECT * FROM c WHERE NOT bought
       UNION ALL
       (SELECT DISTINCT ON ("licenseRef") * FROM c WHERE bought ORDER BY "licenseRef", length("refNo"), "refNo", "lineNo")`,
      [licenseRefs],
    );
  }

  /** Locks the entitlements these keys name, in id order (concurrent batches cannot deadlock on each other). */
  async lock(manager: EntityManager, keys: EntitlementKeys): Promise<EntitlementRow[]> {
    return manager.query(
      `WITH wanted AS (
         SELECT e.id FROM unnest($1::uuid[]) AS k(id) CROSS JOIN LATERAL (SELECT id FROM entitlement WHERE id = k.id OFFSET 0) AS e
         UNION SELECT e.id FROM unnest($2::text[], $3::int[]) AS k(ref_no, line_no)
           CROSS JOIN LATERAL (SELECT id FROM entitlement WHERE ref_no = k.ref_no AND line_no = k.line_no OFFSET 0) AS e
         UNION SELECT e.id FROM unnest($4::text[]) AS k(license_ref)
           CROSS JOIN LATERAL (SELECT id FROM entitlement WHERE license_ref = k.license_ref OFFSET 0) AS e)
       -- Locked as the nested loop meets them: in id order.
       SELECT e.* FROM (SELECT id FROM wanted ORDER BY id) AS w
       CROSS JOIN LATERAL (SELECT ${ROW} FROM entitlement WHERE id = w.id FOR UPDATE) AS e`,
      [keys.ids, keys.lines.map((key) => key.refNo), keys.lines.map((key) => key.lineNo), keys.licenseRefs],
    );
  }

  async upsertLines(manager: EntityManager, lines: readonly LineRow[]): Promise<void> {
    if (lines.length === 0) return;
    const column = <T>(pick: (line: LineRow) => T): T[] => lines.map(pick);
    await manager.query(
      `INSERT INTO entitlement_line AS l (ref_no, line_no, entitlement_id, status, kind, product_id, product_name, quantity, license_ref,
         license_expires_at, delivered_codes)
       SELECT ref_no, line_no, entitlement_id, status, kind, product_id, product_name, quantity, license_ref, license_expires_at,
         delivered_codes::jsonb
       FROM unnest($1::text[], $2::int[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[],
         $10::text[], $11::text[])
         AS n(ref_no, line_no, entitlement_id, status, kind, product_id, product_name, quantity, license_ref, license_expires_at,
           delivered_codes)
       ON CONFLICT (ref_no, line_no) DO UPDATE SET status = excluded.status, kind = excluded.kind, product_id = excluded.product_id,
         product_name = excluded.product_name, quantity = excluded.quantity, license_expires_at = excluded.license_expires_at,
         delivered_codes = excluded.delivered_codes, updated_at = now()`,
      [
        column((line) => line.refNo),
        column((line) => line.lineNo),
        column((line) => line.entitlementId),
        column((line) => line.status),
        column((line) => line.kind),
        column((line) => line.productId),
        column((line) => line.productName),
        column((line) => line.quantity),
        column((line) => line.licenseRef),
        column((line) => line.licenseExpiresAt),
        column((line) => JSON.stringify(line.deliveredCodes)),
      ],
    );
  }

  /** Writes the entitlements' new state, stamping when access was granted or revoked. */
  async update(manager: EntityManager, rows: readonly EntitlementRow[]): Promise<void> {
    if (rows.length === 0) return;
    const column = <T>(pick: (row: EntitlementRow) => T): T[] => rows.map(pick);
    await manager.query(
      // The rows exist (locked by `lock`): the insert is only the keyed form of an update.
      `INSERT INTO entitlement AS e (id, status, product_id, product_name, quantity, license_expires_at, license_status, license_disabled,
         delivered_codes, ref_no, line_no)
       SELECT id, status, product_id, product_name, quantity, license_expires_at, license_status, license_disabled, delivered_codes::jsonb,
         ref_no, line_no
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::boolean[], $9::text[],
         $10::text[], $11::int[])
         AS u(id, status, product_id, product_name, quantity, license_expires_at, license_status, license_disabled, delivered_codes,
           ref_no, line_no)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, product_id = excluded.product_id, product_name = excluded.product_name,
         quantity = excluded.quantity, license_expires_at = excluded.license_expires_at, license_status = excluded.license_status,
         license_disabled = excluded.license_disabled, delivered_codes = excluded.delivered_codes, updated_at = now(),
         granted_at = CASE WHEN excluded.status = 'granted' AND (e.status <> 'granted' OR e.granted_at IS NULL) THEN now() ELSE e.granted_at END,
         revoked_at = CASE WHEN excluded.status = 'revoked' AND (e.status <> 'revoked' OR e.revoked_at IS NULL) THEN now() ELSE e.revoked_at END`,
      [
        column((row) => row.id),
        column((row) => row.status),
        column((row) => row.productId),
        column((row) => row.productName),
        column((row) => row.quantity),
        column((row) => row.licenseExpiresAt),
        column((row) => row.licenseStatus),
        column((row) => row.licenseDisabled),
        column((row) => JSON.stringify(row.deliveredCodes)),
        column((row) => row.refNo),
        column((row) => row.lineNo),
      ],
    );
  }

  /**
   * Locks these licenses' states (created empty where unknown), in license order: `update` to change
   * them or to bind renewals to their entitlements, `share` to bind purchases (which need not wait for
   * each other). Whoever binds a line of a license holds its lock, so no two entitlements are made for it.
   */
  async lockLicenses(manager: EntityManager, codes: readonly string[], mode: 'update' | 'share'): Promise<void> {
    if (codes.length === 0) return;
    const sorted = [...new Set(codes)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    await manager.query(`INSERT INTO license_state (license_code) SELECT * FROM unnest($1::text[]) ON CONFLICT DO NOTHING`, [sorted]);
    // Locked as the nested loop meets them: in the array's (license) order.
    await manager.query(
      `SELECT s.license_code FROM unnest($1::text[]) AS k(license_code)
       CROSS JOIN LATERAL (SELECT license_code FROM license_state WHERE license_code = k.license_code FOR ${mode === 'update' ? 'UPDATE' : 'SHARE'}) AS s`,
      [sorted],
    );
  }

  async licenses(manager: EntityManager, codes: readonly string[]): Promise<Map<string, LicenseState>> {
    if (codes.length === 0) return new Map();
    const rows: LicenseState[] = await manager.query(
      `SELECT s.* FROM unnest($1::text[]) AS k(license_code)
       CROSS JOIN LATERAL (SELECT ${LICENSE} FROM license_state WHERE license_code = k.license_code OFFSET 0) AS s`,
      [codes],
    );
    return new Map(rows.map((row) => [row.licenseCode, row]));
  }

  /** Stores license states locked for update (lockLicenses: they exist, the insert is the keyed form of an update). */
  async saveLicenses(manager: EntityManager, states: readonly LicenseState[]): Promise<void> {
    if (states.length === 0) return;
    const column = <T>(pick: (state: LicenseState) => T): T[] => states.map(pick);
    await manager.query(
      `INSERT INTO license_state (license_code, expiration_date, status, disabled, subscription_status)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[])
       ON CONFLICT (license_code) DO UPDATE SET expiration_date = excluded.expiration_date, status = excluded.status,
         disabled = excluded.disabled, subscription_status = excluded.subscription_status`,
      [
        column((state) => state.licenseCode),
        column((state) => state.expirationDate),
        column((state) => state.status),
        column((state) => state.disabled),
        column((state) => state.subscriptionStatus),
      ],
    );
  }
}
