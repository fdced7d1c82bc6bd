import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CustomerDetails, OrderItemDetails } from '../contracts/order-snapshot';
import type { Milestone } from '../domain/order-status';

/** An order row as the ingest transaction reads and writes it. */
export interface OrderRow {
  refNo: string;
  status: string | null;
  fraudStatus: string | null;
  currency: string | null;
  customer: CustomerDetails;
  items: OrderItemDetails[];
  milestones: Milestone[];
  statusKey: string | null;
  fraudKey: string | null;
  factsKey: string | null;
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

/**
 * Every statement on orders and their history, for a whole batch of IPNs at once: one statement per
 * step whatever the batch size (raw parameterised SQL: the ORM would issue one per row). Arrays travel
 * through unnest, so no batch meets PostgreSQL's limit on parameters.
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
       RETURNING ref_no, status, fraud_status, currency, customer, items, milestones, status_key, fraud_key, facts_key,
         (xmax = 0) AS inserted`,
      [
        sorted.map((order) => order.refNo),
        sorted.map((order) => order.test),
        sorted.map((order) => JSON.stringify(order.customer)),
        sorted.map((order) => JSON.stringify(order.items)),
      ],
    );
    return new Map(
      rows.map((row) => [
        row.ref_no as string,
        {
          refNo: row.ref_no as string,
          status: row.status as string | null,
          fraudStatus: row.fraud_status as string | null,
          currency: row.currency as string | null,
          customer: row.customer as CustomerDetails,
          items: row.items as OrderItemDetails[],
          milestones: row.milestones as Milestone[],
          statusKey: row.status_key as string | null,
          fraudKey: row.fraud_key as string | null,
          factsKey: row.facts_key as string | null,
          isNew: row.inserted as boolean,
        },
      ]),
    );
  }

  /** The notifications among `notificationIds` already applied to these orders (replays). */
  async alreadyApplied(manager: EntityManager, refNos: readonly string[], notificationIds: readonly string[]): Promise<Set<string>> {
    const rows: Array<{ notification_id: string }> = await manager.query(
      `SELECT notification_id FROM order_status_history WHERE ref_no = ANY($1::text[]) AND notification_id = ANY($2::uuid[])`,
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
    await manager.query(
      `UPDATE "order" AS o
       SET status = u.status, fraud_status = u.fraud_status, currency = u.currency, customer = u.customer::jsonb,
           items = u.items::jsonb, milestones = u.milestones::jsonb, status_key = u.status_key, fraud_key = u.fraud_key,
           facts_key = u.facts_key, updated_at = now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS u(ref_no, status, fraud_status, currency, customer, items, milestones, status_key, fraud_key, facts_key)
       WHERE o.ref_no = u.ref_no`,
      [
        orders.map((order) => order.refNo),
        orders.map((order) => order.status),
        orders.map((order) => order.fraudStatus),
        orders.map((order) => order.currency),
        orders.map((order) => JSON.stringify(order.customer)),
        orders.map((order) => JSON.stringify(order.items)),
        orders.map((order) => JSON.stringify(order.milestones)),
        orders.map((order) => order.statusKey),
        orders.map((order) => order.fraudKey),
        orders.map((order) => order.factsKey),
      ],
    );
  }
}
