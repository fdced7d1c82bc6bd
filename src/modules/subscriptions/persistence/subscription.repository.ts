import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SubscriptionOrderKind } from '../contracts/subscription.events';
import { MergeInputs, SubscriptionState, subscriptionOf } from '../domain/subscription-state';

/** The columns derived from a subscription's inputs, in the order the update uses them. */
const DERIVED: ReadonlyArray<readonly [string, string, (state: SubscriptionState) => unknown]> = [
  ['product_id', 'text', (state) => state.productId],
  ['product_name', 'text', (state) => state.productName],
  ['status', 'text', (state) => state.status],
  ['expires_at', 'text', (state) => state.expiresAt],
  ['cancel_at_period_end', 'boolean', (state) => state.cancelAtPeriodEnd],
  ['grace_period_days', 'int', (state) => state.gracePeriodDays],
  ['next_renewal_date', 'text', (state) => state.nextRenewalDate],
  ['next_renewal_price', 'text', (state) => state.nextRenewalPrice],
  ['license_status', 'text', (state) => state.licenseStatus],
  ['disabled', 'boolean', (state) => state.disabled],
  ['email', 'text', (state) => state.email],
  ['license_type', 'text', (state) => state.licenseType],
  ['started_by', 'text', (state) => state.startedBy],
  ['grace_ends_at', 'timestamptz', (state) => (state.graceEndsAt === null ? null : new Date(state.graceEndsAt).toISOString())],
  ['inputs', 'jsonb', (state) => JSON.stringify(state.inputs)],
];

const STATE = `license_ref AS "licenseRef", test, inputs`;

interface StateRow {
  licenseRef: string;
  test: boolean;
  inputs: MergeInputs;
}

const stateOf = (row: StateRow): SubscriptionState => subscriptionOf(row.licenseRef, row.test, row.inputs);

export interface SubscriptionLink {
  licenseRef: string;
  refNo: string;
  kind: SubscriptionOrderKind;
}

/** Where a scan of past-due subscriptions stopped: the last row's grace end and license. */
export interface GraceCursor {
  graceEndsAt: Date;
  licenseRef: string;
}

/**
 * Every statement on subscriptions and their orders; arrays through unnest, one statement a batch.
 * A subscription is read as its inputs and derived by the domain; the derived columns are written
 * with them, for queries (by email, by grace end) and the read API.
 */
@Injectable()
export class SubscriptionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The subscriptions of these licenses, created (active, empty) where unknown, locked for the caller's
   * transaction in license order, so that concurrent batches cannot deadlock on each other.
   */
  async lock(
    manager: EntityManager,
    licenses: ReadonlyArray<{ licenseRef: string; test: boolean }>,
  ): Promise<Map<string, SubscriptionState>> {
    const unique = [...new Map(licenses.map((license) => [license.licenseRef, license])).values()];
    unique.sort((a, b) => (a.licenseRef < b.licenseRef ? -1 : a.licenseRef > b.licenseRef ? 1 : 0));
    const rows: StateRow[] = await manager.query(
      `INSERT INTO subscription AS s (license_ref, status, test)
       SELECT license_ref, 'active', test FROM unnest($1::text[], $2::boolean[]) AS n(license_ref, test)
       ON CONFLICT (license_ref) DO UPDATE SET license_ref = s.license_ref -- a no-op that locks the row
       RETURNING ${STATE}`,
      [unique.map((license) => license.licenseRef), unique.map((license) => license.test)],
    );
    return new Map(rows.map((row) => [row.licenseRef, stateOf(row)]));
  }

  /** The subscriptions of these licenses as committed, without locking them. */
  async read(manager: EntityManager, licenseRefs: readonly string[]): Promise<Map<string, SubscriptionState>> {
    // One index probe per license (a LATERAL subquery the planner cannot turn into a scan of the table).
    const rows: StateRow[] = await manager.query(
      `SELECT s.* FROM unnest($1::text[]) AS k(license_ref)
       CROSS JOIN LATERAL (SELECT ${STATE} FROM subscription WHERE license_ref = k.license_ref OFFSET 0) AS s`,
      [licenseRefs],
    );
    return new Map(rows.map((row) => [row.licenseRef, stateOf(row)]));
  }

  /**
   * Past-due subscriptions whose grace period ended by `now`, soonest first, at most `limit` after
   * `after` (a page; through IDX_subscription_grace_ends).
   */
  async graceEnded(
    now: Date,
    limit: number,
    after: GraceCursor | null,
  ): Promise<{ states: SubscriptionState[]; next: GraceCursor | null }> {
    const rows: Array<StateRow & { graceEndsAt: Date }> = await this.dataSource.query(
      `SELECT ${STATE}, grace_ends_at AS "graceEndsAt" FROM subscription
       WHERE status = 'past_due' AND grace_ends_at <= $1 AND (grace_ends_at, license_ref) > ($2::timestamptz, $3::text)
       ORDER BY grace_ends_at, license_ref LIMIT $4`,
      [now, after?.graceEndsAt ?? '-infinity', after?.licenseRef ?? '', limit],
    );
    const last = rows.at(-1);
    return {
      states: rows.map(stateOf),
      next: rows.length === limit && last ? { graceEndsAt: last.graceEndsAt, licenseRef: last.licenseRef } : null,
    };
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

  /**
   * Writes each state's inputs and the columns derived from them (rows locked by `lock`, so they exist: the
   * insert is the keyed form of an update, one index probe a row, where an UPDATE joined to the unnested
   * arrays is planned as a scan of the table on a database without column statistics).
   */
  async save(manager: EntityManager, states: readonly SubscriptionState[]): Promise<void> {
    if (states.length === 0) return;
    await manager.query(
      `INSERT INTO subscription (license_ref, ${DERIVED.map(([column]) => column).join(', ')})
       SELECT * FROM unnest($1::text[], ${DERIVED.map(([, type], i) => `$${i + 2}::${type}[]`).join(', ')})
       ON CONFLICT (license_ref) DO UPDATE SET ${DERIVED.map(([column]) => `${column} = excluded.${column}`).join(', ')}, updated_at = now()`,
      [states.map((state) => state.licenseRef), ...DERIVED.map(([, , value]) => states.map(value))],
    );
  }
}
