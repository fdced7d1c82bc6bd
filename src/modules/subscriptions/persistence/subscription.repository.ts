import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SubscriptionOrderKind } from '../contracts/subscription.events';
import type { SubscriptionState } from '../domain/subscription-state';

/** SubscriptionState's fields and their columns, in the order the statements use them. */
const FIELDS: ReadonlyArray<readonly [keyof SubscriptionState, string, string]> = [
  ['productId', 'product_id', 'text'],
  ['productName', 'product_name', 'text'],
  ['productKey', 'product_key', 'text'],
  ['status', 'status', 'text'],
  ['statusKey', 'status_key', 'text'],
  ['expiresAt', 'expires_at', 'text'],
  ['expiryKey', 'expiry_key', 'text'],
  ['cancelAtPeriodEnd', 'cancel_at_period_end', 'boolean'],
  ['cancelKey', 'cancel_key', 'text'],
  ['gracePeriodDays', 'grace_period_days', 'int'],
  ['nextRenewalDate', 'next_renewal_date', 'text'],
  ['nextRenewalPrice', 'next_renewal_price', 'text'],
  ['licenseStatus', 'license_status', 'text'],
  ['disabled', 'disabled', 'boolean'],
  ['lcnKey', 'lcn_key', 'text'],
  ['email', 'email', 'text'],
  ['startedBy', 'started_by', 'text'],
];

const STATE = `license_ref AS "licenseRef", test, ${FIELDS.map(([field, column]) => `${column} AS "${field}"`).join(', ')}`;

export interface SubscriptionLink {
  licenseRef: string;
  refNo: string;
  kind: SubscriptionOrderKind;
}

/** Every statement on subscriptions and their orders; arrays through unnest, one statement a batch. */
@Injectable()
export class SubscriptionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The subscriptions of these licences, created (active, empty) where unknown, locked for the caller's
   * transaction in licence order, so that concurrent batches cannot deadlock on each other.
   */
  async lock(
    manager: EntityManager,
    licences: ReadonlyArray<{ licenseRef: string; test: boolean }>,
  ): Promise<Map<string, SubscriptionState>> {
    const unique = [...new Map(licences.map((licence) => [licence.licenseRef, licence])).values()];
    unique.sort((a, b) => (a.licenseRef < b.licenseRef ? -1 : a.licenseRef > b.licenseRef ? 1 : 0));
    const rows: SubscriptionState[] = await manager.query(
      `INSERT INTO subscription AS s (license_ref, status, test)
       SELECT license_ref, 'active', test FROM unnest($1::text[], $2::boolean[]) AS n(license_ref, test)
       ON CONFLICT (license_ref) DO UPDATE SET license_ref = s.license_ref -- a no-op that locks the row
       RETURNING ${STATE}`,
      [unique.map((licence) => licence.licenseRef), unique.map((licence) => licence.test)],
    );
    return new Map(rows.map((row) => [row.licenseRef, row]));
  }

  /** The subscriptions of these licences as committed, without locking them. */
  async read(manager: EntityManager, licenseRefs: readonly string[]): Promise<Map<string, SubscriptionState>> {
    const rows: SubscriptionState[] = await manager.query(`SELECT ${STATE} FROM subscription WHERE license_ref = ANY($1::text[])`, [
      licenseRefs,
    ]);
    return new Map(rows.map((row) => [row.licenseRef, row]));
  }

  /** Past-due subscriptions with an expiry: those whose grace period may run out (at most `limit`). */
  async pastDue(limit: number): Promise<SubscriptionState[]> {
    return this.dataSource.query(
      `SELECT ${STATE} FROM subscription WHERE status = 'past_due' AND expires_at IS NOT NULL ORDER BY expires_at LIMIT $1`,
      [limit],
    );
  }

  /** Links orders to subscriptions; returns the links that are new (a replayed order's are not). */
  async link(manager: EntityManager, links: readonly SubscriptionLink[]): Promise<SubscriptionLink[]> {
    if (links.length === 0) return [];
    return manager.query(
      `INSERT INTO subscription_order (license_ref, ref_no, kind)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING
       RETURNING license_ref AS "licenseRef", ref_no AS "refNo", kind`,
      [links.map((link) => link.licenseRef), links.map((link) => link.refNo), links.map((link) => link.kind)],
    );
  }

  async save(manager: EntityManager, states: readonly SubscriptionState[]): Promise<void> {
    if (states.length === 0) return;
    await manager.query(
      `UPDATE subscription AS s
       SET ${FIELDS.map(([, column]) => `${column} = u.${column}`).join(', ')}, updated_at = now()
       FROM unnest($1::text[], ${FIELDS.map(([, , type], i) => `$${i + 2}::${type}[]`).join(', ')})
         AS u(license_ref, ${FIELDS.map(([, column]) => column).join(', ')})
       WHERE s.license_ref = u.license_ref`,
      [states.map((state) => state.licenseRef), ...FIELDS.map(([field]) => states.map((state) => state[field]))],
    );
  }
}
