import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Beyond the first purchase. Orders keep their refunds, their dispute and what decides a reversal;
 * their status splits into the lifecycle status and the effective one. Entitlements are carried by
 * entitlement_line rows: a renewal or an upgrade adds a line to the entitlement its license was bought
 * with, never a second entitlement (the second ones the old per-line grants made are merged into it).
 * Subscriptions (one per license) are created from the entitlements and license states there are.
 * License states keep the subscription's status instead of the LCN date (subscriptions order LCNs now).
 */
export class CommerceLifecycle1764000000300 implements MigrationInterface {
  name = 'CommerceLifecycle1764000000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Orders.
    await queryRunner.query(`ALTER TABLE "order" RENAME COLUMN "status_key" TO "lifecycle_key"`);
    await queryRunner.query(`ALTER TABLE "order" ADD "lifecycle_status" text, ADD "paid_key" text, ADD "reversed_key" text,
      ADD "refunds" jsonb NOT NULL DEFAULT '[]', ADD "chargeback" jsonb`);
    await queryRunner.query(`UPDATE "order" SET
      lifecycle_status = CASE status
        WHEN 'REVERSED' THEN CASE WHEN milestones ? 'paymentAuthorized' THEN 'PAYMENT_AUTHORIZED' ELSE 'PENDING' END
        WHEN 'REFUND' THEN 'COMPLETE' ELSE status END,
      reversed_key = CASE WHEN status = 'REVERSED' THEN lifecycle_key END,
      facts_key = '1|' || facts_key`);
    // A REFUND so far refunded everything: one full refund of the lines' total.
    await queryRunner.query(`UPDATE "order" AS o SET refunds = jsonb_build_array(jsonb_build_object(
        'key', coalesce(o.lifecycle_key, ''), 'at', to_char(o.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'currency', o.currency, 'amount', t.total, 'lines', t.lines, 'orderLines', t.lines, 'orderTotal', t.total, 'full', true))
      FROM (SELECT ref_no, coalesce(jsonb_agg((item->>'lineNo')::int ORDER BY (item->>'lineNo')::int) FILTER (WHERE item IS NOT NULL), '[]') AS lines,
              coalesce(sum(CASE WHEN item->>'price' ~ '^-?[0-9]+(\\.[0-9]+)?$'
                THEN round(abs((item->>'price')::numeric) * coalesce((item->>'quantity')::numeric, 1) * 1000) ELSE 0 END), 0)::bigint AS total
            FROM "order" LEFT JOIN LATERAL jsonb_array_elements(items) AS item ON true WHERE status = 'REFUND' GROUP BY ref_no) AS t
      WHERE o.ref_no = t.ref_no`);

    // Entitlements carried by lines; a renewal's or an upgrade's line joins the entitlement its license was bought with.
    await queryRunner.query(`CREATE TABLE "entitlement_line" ("ref_no" text NOT NULL, "line_no" integer NOT NULL, "entitlement_id" uuid NOT NULL,
      "status" character varying(16) NOT NULL, "kind" character varying(16) NOT NULL, "product_id" text NOT NULL, "product_name" text NOT NULL,
      "quantity" integer NOT NULL, "license_ref" text, "license_expires_at" text, "delivered_codes" jsonb NOT NULL DEFAULT '[]',
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_entitlement_line" PRIMARY KEY ("ref_no", "line_no"))`);
    await queryRunner.query(`CREATE INDEX "IDX_entitlement_line_entitlement" ON "entitlement_line" ("entitlement_id")`);
    await queryRunner.query(`INSERT INTO entitlement_line (ref_no, line_no, entitlement_id, status, kind, product_id, product_name, quantity,
        license_ref, license_expires_at, delivered_codes)
      SELECT e.ref_no, e.line_no, e.id, e.status,
        CASE upper(item->>'licenseType') WHEN 'RENEWAL' THEN 'renewal' WHEN 'UPGRADE' THEN 'upgrade' ELSE 'new' END,
        e.product_id, e.product_name, e.quantity, e.license_ref, e.license_expires_at, e.delivered_codes
      FROM entitlement e LEFT JOIN "order" o ON o.ref_no = e.ref_no
        LEFT JOIN LATERAL (SELECT item FROM jsonb_array_elements(o.items) AS item WHERE (item->>'lineNo')::int = e.line_no LIMIT 1) AS i ON true`);
    await queryRunner.query(`UPDATE entitlement_line AS l SET entitlement_id = (
        SELECT n.entitlement_id FROM entitlement_line n WHERE n.license_ref = l.license_ref AND n.kind = 'new'
        ORDER BY length(n.ref_no), n.ref_no, n.line_no LIMIT 1)
      WHERE l.kind <> 'new' AND EXISTS (SELECT 1 FROM entitlement_line n WHERE n.license_ref = l.license_ref AND n.kind = 'new')`);
    await queryRunner.query(`DELETE FROM entitlement e WHERE NOT EXISTS (SELECT 1 FROM entitlement_line l WHERE l.entitlement_id = e.id)`);

    // Subscriptions, from the licenses there are.
    await queryRunner.query(`ALTER TABLE "license_state" ADD "subscription_status" text`);
    await queryRunner.query(`UPDATE "license_state" SET subscription_status = CASE
      WHEN disabled OR upper(status) = 'DISABLED' THEN 'disabled'
      WHEN upper(status) = 'EXPIRED' THEN 'expired'
      WHEN upper(replace(status, '_', ' ')) IN ('PAST DUE', 'PASTDUE') THEN 'past_due'
      WHEN upper(replace(status, '_', ' ')) = 'PENDING ACTIVATION' THEN 'pending_activation'
      ELSE 'active' END`);
    await queryRunner.query(`CREATE TABLE "subscription" ("license_ref" text NOT NULL, "product_id" text, "product_name" text,
      "status" character varying(24) NOT NULL, "expires_at" text, "cancel_at_period_end" boolean NOT NULL DEFAULT false,
      "grace_period_days" integer, "next_renewal_date" text, "next_renewal_price" text, "license_status" text,
      "disabled" boolean NOT NULL DEFAULT false, "email" text, "started_by" text, "test" boolean NOT NULL DEFAULT false,
      "product_key" text, "status_key" text, "expiry_key" text, "cancel_key" text, "lcn_key" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_subscription" PRIMARY KEY ("license_ref"))`);
    await queryRunner.query(`CREATE INDEX "IDX_subscription_email" ON "subscription" ("email")`);
    await queryRunner.query(`CREATE TABLE "subscription_order" ("license_ref" text NOT NULL, "ref_no" text NOT NULL,
      "kind" character varying(16) NOT NULL, "linked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_subscription_order" PRIMARY KEY ("license_ref", "ref_no"))`);
    const lcnKey = `CASE WHEN regexp_replace(ls.date_updated, '\\D', '', 'g') ~ '^[0-9]{14}$' THEN regexp_replace(ls.date_updated, '\\D', '', 'g') END`;
    await queryRunner.query(`INSERT INTO subscription (license_ref, product_id, product_name, product_key, status, status_key, expires_at, expiry_key,
        license_status, disabled, lcn_key, email, started_by, test)
      SELECT DISTINCT ON (e.license_ref) e.license_ref, e.product_id, e.product_name, '0|00000000000000',
        coalesce(ls.subscription_status, 'active'), ${lcnKey}, coalesce(ls.expiration_date, e.license_expires_at), ${lcnKey},
        ls.status, coalesce(ls.disabled, false), ${lcnKey}, e.customer_email,
        (SELECT l.ref_no FROM entitlement_line l WHERE l.entitlement_id = e.id AND l.kind = 'new' ORDER BY length(l.ref_no), l.ref_no LIMIT 1), e.test
      FROM entitlement e LEFT JOIN license_state ls ON ls.license_code = e.license_ref
      WHERE e.license_ref IS NOT NULL ORDER BY e.license_ref, length(e.ref_no), e.ref_no`);
    await queryRunner.query(`INSERT INTO subscription (license_ref, status, status_key, expires_at, expiry_key, license_status, disabled, lcn_key)
      SELECT ls.license_code, ls.subscription_status, ${lcnKey}, ls.expiration_date, ${lcnKey}, ls.status, ls.disabled, ${lcnKey}
      FROM license_state ls ON CONFLICT DO NOTHING`);
    await queryRunner.query(`INSERT INTO subscription_order (license_ref, ref_no, kind)
      SELECT DISTINCT ON (l.license_ref, l.ref_no) l.license_ref, l.ref_no, l.kind
      FROM entitlement_line l WHERE l.license_ref IS NOT NULL ORDER BY l.license_ref, l.ref_no, l.line_no`);
    await queryRunner.query(`ALTER TABLE "license_state" DROP COLUMN "date_updated"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "license_state" ADD "date_updated" text`);
    await queryRunner.query(`DROP TABLE "subscription_order"`);
    await queryRunner.query(`DROP TABLE "subscription"`);
    await queryRunner.query(`ALTER TABLE "license_state" DROP COLUMN "subscription_status"`);
    await queryRunner.query(`DROP TABLE "entitlement_line"`);
    await queryRunner.query(`UPDATE "order" SET facts_key = substr(facts_key, 3)`);
    await queryRunner.query(`ALTER TABLE "order" DROP COLUMN "chargeback", DROP COLUMN "refunds", DROP COLUMN "reversed_key",
      DROP COLUMN "paid_key", DROP COLUMN "lifecycle_status"`);
    await queryRunner.query(`ALTER TABLE "order" RENAME COLUMN "lifecycle_key" TO "status_key"`);
  }
}
