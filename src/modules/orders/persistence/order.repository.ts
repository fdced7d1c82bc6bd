import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CustomerDetails, OrderItemDetails } from '../contracts/order-snapshot';
import type { ChargebackRecord } from '../domain/chargeback';
import type { Milestone } from '../domain/order-status';
import type { RefundRecord } from '../domain/refunds';

/** An order row as the ingest transaction reads and writes it. */
export interface OrderRow {
  refNo: string;
  status: string | null;
  lifecycleStatus: string | null;
  lifecycleKey: string | null;
  fraudStatus: string | null;
  fraudKey: string | null;
  factsKey: string | null;
  paidKey: string | null;
  reversedKey: string | null;
  refunds: RefundRecord[];
  chargeback: ChargebackRecord | null;
  currency: string | null;
  customer: CustomerDetails;
  items: OrderItemDetails[];
  milestones: Milestone[];
  /** Created by this transaction: no notification has been applied to it yet. */
  isNew: boolean;
}

export interface NewOrder {
  refNo: string;
  test: boolean;
  customer: CustomerDetails;
  items: OrderItemDetails[];
}

export interface HistoryEntry {
  refNo: string;
  status: string;
  fraudStatus: string | null;
  notificationId: string;
  ipnDate: string | null;
  applied: boolean;
}

/** A refund as stored before refunds were keyed by notification identity (until the order's recompute). */
type LegacyRefund = Omit<RefundRecord, 'step'> & { step?: string };

/** An order row as read; a refund stored before identities keyed refunds is keyed by its step meanwhile. */
function orderRowOf(row: Record<string, unknown>): OrderRow {
  return {
    refNo: row.ref_no,
    status: row.status,
    lifecycleStatus: row.lifecycle_status,
    lifecycleKey: row.lifecycle_key,
    fraudStatus: row.fraud_status,
    fraudKey: row.fraud_key,
    factsKey: row.facts_key,
    paidKey: row.paid_key,
    reversedKey: row.reversed_key,
    refunds: (row.refunds as LegacyRefund[]).map(({ key, step, at, currency, amount, lines, full }) => ({
      key,
      step: step ?? key,
      at,
      currency,
      amount,
      lines,
      full,
    })),
    chargeback: row.chargeback,
    currency: row.currency,
    customer: row.customer,
    items: row.items,
    milestones: row.milestones,
    isNew: row.inserted,
  } as OrderRow;
}

/** The columns of OrderRow, in the order the update statement takes them. */
const STATE_COLUMNS = [
  ['status', 'text'],
  ['lifecycle_status', 'text'],
  ['lifecycle_key', 'text'],
  ['fraud_status', 'text'],
  ['fraud_key', 'text'],
  ['facts_key', 'text'],
  ['paid_key', 'text'],
  ['reversed_key', 'text'],
  ['refunds', 'jsonb'],
  ['chargeback', 'jsonb'],
  ['currency', 'text'],
  ['customer', 'jsonb'],
  ['items', 'jsonb'],
  ['milestones', 'jsonb'],
] as const;

/**
 * Every statement on orders and their history, for a whole batch of IPNs at once: one statement per
 * step whatever the batch size (raw parameterised SQL: the ORM would issue one per row). Arrays travel
 * through unnest, so no batch meets PostgreSQL's limit on parameters. Rows are found by key, one index
 * probe per key (LATERAL subqueries the planner cannot flatten into a hash join), and written by key
 * (INSERT … ON CONFLICT): `= ANY(keys)`, or a join on the unnested arrays, is planned as a scan of the
 * table on a database without column statistics.
 */
@Injectable()
export class OrderRepository {
  /**
   * Creates the orders not seen before and locks them all, in REFNO order (so concurrent batches
   * cannot deadlock on each other), returning their current state. `orders` has one entry per REFNO.
   */
  async lockOrCreate(manager: EntityManager, orders: readonly NewOrder[]): Promise<Map<string, OrderRow>> {
    const sorted = [...orders].sort((a, b) => (a.refNo < b.refNo ? -1 : a.refNo > b.refNo ? 1 : 0));
    const rows: Array<Record<string, unknown>> = await manager.query(
      `INSERT INTO "order" AS o (ref_no, test, customer, items)
       SELECT ref_no, test, customer::jsonb, items::jsonb
       FROM unnest($1::text[], $2::boolean[], $3::text[], $4::text[]) AS n(ref_no, test, customer, items)
       ON CONFLICT (ref_no) DO UPDATE SET status = o.status -- a no-op that locks the row
       RETURNING ref_no, ${STATE_COLUMNS.map(([column]) => column).join(', ')}, (xmax = 0) AS inserted`,
      [
        sorted.map((order) => order.refNo),
        sorted.map((order) => order.test),
        sorted.map((order) => JSON.stringify(order.customer)),
        sorted.map((order) => JSON.stringify(order.items)),
      ],
    );
    return new Map(rows.map((row) => [row.ref_no as string, orderRowOf(row)]));
  }

  /** Locks these existing orders, in REFNO order (as lockOrCreate does), returning their current state. */
  async lock(manager: EntityManager, refNos: readonly string[]): Promise<Map<string, OrderRow>> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      // Locked as the nested loop meets them: in the array's (REFNO) order.
      `SELECT o.* FROM unnest($1::text[]) AS k(ref_no)
       CROSS JOIN LATERAL (SELECT ref_no, ${STATE_COLUMNS.map(([column]) => column).join(', ')}, false AS inserted
         FROM "order" WHERE ref_no = k.ref_no FOR UPDATE) AS o`,
      [[...new Set(refNos)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))],
    );
    return new Map(rows.map((row) => [row.ref_no as string, orderRowOf(row)]));
  }

  /** The notifications recorded in these orders' histories, by order. */
  async notificationsOf(manager: EntityManager, refNos: readonly string[]): Promise<Map<string, string[]>> {
    const rows: Array<{ ref_no: string; notification_id: string }> = await manager.query(
      `SELECT h.* FROM unnest($1::text[]) AS k(ref_no)
       CROSS JOIN LATERAL (SELECT ref_no, notification_id FROM order_status_history WHERE ref_no = k.ref_no ORDER BY recorded_at OFFSET 0) AS h`,
      [refNos],
    );
    const byOrder = new Map<string, string[]>();
    for (const row of rows) byOrder.set(row.ref_no, [...(byOrder.get(row.ref_no) ?? []), row.notification_id]);
    return byOrder;
  }

  /** Of these (order, notification) pairs, the notifications already applied (replays). */
  async alreadyApplied(manager: EntityManager, refNos: readonly string[], notificationIds: readonly string[]): Promise<Set<string>> {
    const rows: Array<{ notification_id: string }> = await manager.query(
      `SELECT h.notification_id FROM unnest($1::text[], $2::uuid[]) AS k(ref_no, notification_id)
       CROSS JOIN LATERAL (SELECT notification_id FROM order_status_history
                           WHERE ref_no = k.ref_no AND notification_id = k.notification_id OFFSET 0) AS h`,
      [refNos, notificationIds],
    );
    return new Set(rows.map((row) => row.notification_id));
  }

  async appendHistory(manager: EntityManager, entries: readonly HistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await manager.query(
      `INSERT INTO order_status_history (ref_no, status, fraud_status, notification_id, ipn_date, applied)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::boolean[])`,
      [
        entries.map((entry) => entry.refNo),
        entries.map((entry) => entry.status),
        entries.map((entry) => entry.fraudStatus),
        entries.map((entry) => entry.notificationId),
        entries.map((entry) => entry.ipnDate),
        entries.map((entry) => entry.applied),
      ],
    );
  }

  async update(manager: EntityManager, orders: readonly OrderRow[]): Promise<void> {
    if (orders.length === 0) return;
    const values = (order: OrderRow): unknown[] => [
      order.status,
      order.lifecycleStatus,
      order.lifecycleKey,
      order.fraudStatus,
      order.fraudKey,
      order.factsKey,
      order.paidKey,
      order.reversedKey,
      JSON.stringify(order.refunds),
      order.chargeback && JSON.stringify(order.chargeback),
      order.currency,
      JSON.stringify(order.customer),
      JSON.stringify(order.items),
      JSON.stringify(order.milestones),
    ];
    const names = STATE_COLUMNS.map(([column]) => column);
    const rows = orders.map(values);
    // JSON travels as text (unnest has no jsonb[] from node-postgres), cast back in the SELECT. The orders
    // exist (locked by lockOrCreate or lock): the insert is the keyed form of an update.
    await manager.query(
      `INSERT INTO "order" (ref_no, ${names.join(', ')})
       SELECT ref_no, ${STATE_COLUMNS.map(([column, type]) => `${column}${type === 'jsonb' ? '::jsonb' : ''}`).join(', ')}
       FROM unnest($1::text[], ${names.map((_, i) => `$${i + 2}::text[]`).join(', ')}) AS u(ref_no, ${names.join(', ')})
       ON CONFLICT (ref_no) DO UPDATE SET ${names.map((column) => `${column} = excluded.${column}`).join(', ')}, updated_at = now()`,
      [orders.map((order) => order.refNo), ...names.map((_, i) => rows.map((row) => row[i]))],
    );
  }
}
