import type { Client } from 'pg';

/**
 * Fills a migrated, empty database with what `orders` processed orders leave behind (two lines and two
 * licenses each, two notifications each, their events, deliveries, messages and accounts), in bulk
 * INSERTs and nothing else: the tables grow as they do in service, with no ANALYZE or VACUUM, so the
 * planner has page counts and no column statistics, as on a database with autovacuum off.
 */
export async function fillRealisticRows(client: Client, orders: number): Promise<void> {
  // The embedded server the suite runs on has autovacuum on: off for these tables, or it would analyze
  // them while they fill and the planner would have statistics after all.
  await client.query(
    `DO $$ DECLARE t text; BEGIN
       FOR t IN SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace LOOP
         EXECUTE format('ALTER TABLE %I SET (autovacuum_enabled = false)', t);
       END LOOP;
     END $$`,
  );
  const body = `'${'x'.repeat(1800)}'`;
  await client.query(
    `INSERT INTO "order" (ref_no, status, lifecycle_status, test, currency, customer, items, milestones)
     SELECT 'R' || g, 'COMPLETE', 'COMPLETE', false, 'USD', jsonb_build_object('email', 'buyer-' || (g % 5000) || '@example.com'),
       '[{"lineNo":1,"productId":"40898000"},{"lineNo":2,"productId":"40898001"}]', '[{"name":"paid"}]'
     FROM generate_series(1, $1::int) AS g`,
    [orders],
  );
  await client.query(
    `INSERT INTO ipn_notification (kind, listener, account, identity_hash, algorithm, status, raw_body, ref_no, order_status,
       ipn_date, message_id, test_order, remote_address)
     SELECT 'ipn', 'default', 'default', sha256(convert_to(g || '-' || n, 'UTF8')), 'sha256', 'accepted', convert_to(${body}, 'UTF8'),
       'R' || g, CASE n WHEN 1 THEN 'PENDING' ELSE 'COMPLETE' END, '20261124100000', g || '-' || n, false, '127.0.0.1'
     FROM generate_series(1, $1::int) AS g, generate_series(1, 2) AS n`,
    [orders],
  );
  await client.query(
    `INSERT INTO outbox_event (id, name, version, payload, status, delivered_at, correlation_id)
     SELECT gen_random_uuid(), 'ipn.received', 1, jsonb_build_object('name', 'ipn.received', 'orderRef', ref_no, 'correlationId', id),
       'delivered', now(), id
     FROM ipn_notification`,
  );
  await client.query(
    `INSERT INTO order_status_history (ref_no, status, notification_id, ipn_date, applied)
     SELECT ref_no, order_status, id, ipn_date, true FROM ipn_notification`,
  );
  await client.query(
    `INSERT INTO entitlement (ref_no, line_no, product_id, product_name, quantity, license_ref, status, customer_email)
     SELECT 'R' || g, n, '4089800' || n, 'Product ' || n, 1, 'LIC-' || g || '-' || n, 'granted', 'buyer-' || (g % 5000) || '@example.com'
     FROM generate_series(1, $1::int) AS g, generate_series(1, 2) AS n`,
    [orders],
  );
  await client.query(
    `INSERT INTO entitlement_line (ref_no, line_no, entitlement_id, status, kind, product_id, product_name, quantity, license_ref)
     SELECT ref_no, line_no, id, 'granted', 'new', product_id, product_name, quantity, license_ref FROM entitlement`,
  );
  await client.query(
    `INSERT INTO license_state (license_code, expiration_date, status) SELECT license_ref, '2027-11-24', 'ACTIVE' FROM entitlement`,
  );
  await client.query(
    `INSERT INTO subscription (license_ref, product_id, status, email, expires_at)
     SELECT license_ref, product_id, 'active', customer_email, '2027-11-24' FROM entitlement`,
  );
  await client.query(`INSERT INTO subscription_order (license_ref, ref_no, kind) SELECT license_ref, ref_no, 'new' FROM entitlement`);
  await client.query(
    `INSERT INTO provisioning (idempotency_key, strategy, entitlement_id, ref_no, grant_event_id, result)
     SELECT 'grant-' || id, 'log', id, ref_no, gen_random_uuid(), '{}' FROM entitlement`,
  );
  await client.query(
    `INSERT INTO account (email, first_name, test) SELECT 'buyer-' || g || '@example.com', 'Zoë', false FROM generate_series(0, 4999) AS g`,
  );
  await client.query(
    `INSERT INTO account_order (ref_no, account_id)
     SELECT 'R' || g, a.id FROM generate_series(1, $1::int) AS g JOIN account a ON a.email = 'buyer-' || (g % 5000) || '@example.com'`,
    [orders],
  );
  await client.query(
    `INSERT INTO engagement (kind, email, ref_no, subject, body, transport, cause_event_id)
     SELECT 'order_confirmation', 'buyer-' || (g % 5000) || '@example.com', 'R' || g, 'Your order', 'Thank you', 'log', gen_random_uuid()
     FROM generate_series(1, $1::int) AS g`,
    [orders],
  );
  // Ten events per order in the log, as its notifications' deliveries raise them.
  await client.query(
    `INSERT INTO event_log (position, event_id, name, version, occurred_at, order_ref, key, test, correlation_id, data)
     SELECT nextval('event_log_position'), gen_random_uuid(), 'order.status_changed', 1, now(), 'R' || g, 'R' || g, false,
       gen_random_uuid(), '{}'
     FROM generate_series(1, $1::int) AS g, generate_series(1, 10) AS n`,
    [orders],
  );
  // A few deliveries that failed once (only failures leave items).
  await client.query(
    `INSERT INTO delivery_item (target, channel, key, seq, position, event_id, event_name, status, attempts, done_at)
     SELECT 'mail', 'mail', order_ref, position, position, event_id, name, 'done', 2, now() FROM event_log WHERE position % 50 = 0`,
  );
}
