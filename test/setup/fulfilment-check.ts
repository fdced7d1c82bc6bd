import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import type { SampleOrder } from '../../src/cli/sample-notification';

/** Receipted orders whose notification is not stored: each one a receipt for data that was lost. */
export async function lostReceipts(pool: Pool, refNos: Iterable<string>): Promise<string[]> {
  const wanted = [...refNos];
  const { rows } = await pool.query<{ ref_no: string }>(`SELECT DISTINCT ref_no FROM ipn_notification WHERE ref_no = ANY($1)`, [wanted]);
  const stored = new Set(rows.map((row) => row.ref_no));
  return wanted.filter((refNo) => !stored.has(refNo));
}

/** Waits until no outbox event is pending (every stored notification processed or dead-lettered). */
export async function outboxDrained(pool: Pool, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_event WHERE status = 'pending'`);
    if (rows[0].n === 0) return;
    if (Date.now() > deadline) throw new Error(`${rows[0].n} outbox events still pending after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * What is wrong with the fulfilment of COMPLETE two-line orders (empty: nothing): each is COMPLETE,
 * linked to the account of its email, has both lines granted, and was granted once; one account
 * per email, created once; no dead letter.
 */
export async function fulfilmentProblems(pool: Pool, orders: readonly SampleOrder[]): Promise<string[]> {
  const refNos = orders.map((order) => order.refNo);
  const problems: string[] = [];
  const { rows } = await pool.query<{ ref_no: string; status: string | null; email: string | null; granted: number; lines: number }>(
    `SELECT o.ref_no, o.status, a.email,
            (SELECT count(*)::int FROM entitlement e WHERE e.ref_no = o.ref_no AND e.status = 'granted') AS granted,
            (SELECT count(*)::int FROM entitlement e WHERE e.ref_no = o.ref_no) AS lines
       FROM "order" o
       LEFT JOIN account_order ao ON ao.ref_no = o.ref_no
       LEFT JOIN account a ON a.id = ao.account_id
      WHERE o.ref_no = ANY($1)`,
    [refNos],
  );
  const byRef = new Map(rows.map((row) => [row.ref_no, row]));
  for (const order of orders) {
    const row = byRef.get(order.refNo);
    const seen = row && { status: row.status, email: row.email, granted: row.granted, lines: row.lines };
    const expected = { status: 'COMPLETE', email: order.email.toLowerCase(), granted: 2, lines: 2 };
    if (JSON.stringify(seen) !== JSON.stringify(expected)) problems.push(`${order.refNo}: ${JSON.stringify(seen ?? 'no order')}`);
  }
  // Events raised by deliveries are in the event log, one row each.
  const granted = await pool.query<{ ref: string; n: number }>(
    `SELECT order_ref AS ref, count(*)::int AS n FROM event_log
      WHERE name = 'fulfillment.granted' AND order_ref = ANY($1)
      GROUP BY 1 HAVING count(*) <> 1`,
    [refNos],
  );
  for (const row of granted.rows) problems.push(`${row.ref}: fulfillment.granted ${row.n} times`);
  const emails = [...new Set(orders.map((order) => order.email.toLowerCase()))];
  const accounts = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM account WHERE email = ANY($1)`, [emails]);
  if (accounts.rows[0].n !== emails.length) problems.push(`${accounts.rows[0].n} accounts for ${emails.length} emails`);
  const created = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM event_log WHERE name = 'account.created' AND order_ref = ANY($1)`,
    [refNos],
  );
  if (created.rows[0].n !== emails.length) problems.push(`account.created ${created.rows[0].n} times for ${emails.length} emails`);
  const dead = await pool.query<{ id: string; last_error: string }>(`SELECT id, last_error FROM outbox_event WHERE status = 'dead'`);
  for (const row of dead.rows) problems.push(`dead letter ${row.id}: ${row.last_error}`);
  return problems;
}
