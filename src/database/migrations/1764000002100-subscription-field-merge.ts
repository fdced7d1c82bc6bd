import type { MigrationInterface, QueryRunner } from 'typeorm';

const NO_DATE = '00000000000000';

/** An old key (YmdHis, or null) as a merge key: an LCN's of that second, outranked by any LCN of the same second. */
const key = (column: string) => `coalesce(${column}, '${NO_DATE}') || '.1.'`;

/** The expiry, read as domain/platform-date's dateOf reads it (UTC, fields that overflow roll over), as a timestamp. */
const EXPIRES = `(SELECT make_timestamp(CASE WHEN p[1]::int < 100 THEN p[1]::int + 1900 ELSE p[1]::int END, 1, 1, 0, 0, 0)
    + make_interval(months => p[2]::int - 1, days => p[3]::int - 1, hours => coalesce(p[4], '0')::int,
        mins => coalesce(p[5], '0')::int, secs => coalesce(p[6], '0')::int)
  FROM regexp_match(btrim(expires_at), '^(\\d{4})-(\\d{2})-(\\d{2})(?:[ T](\\d{2}):(\\d{2}):(\\d{2}))?$') AS p WHERE p IS NOT NULL)`;

/**
 * Subscriptions merge field by field: each field keeps the key of the newest message that carried it
 * (domain/subscription-state), kept in `inputs`, instead of one key per group of fields; the status is
 * derived from the deciding message and the merged fields; the clock's grace end is stored, indexed
 * for the past-due rows. Existing rows keep their values: each field keyed as its group was, the
 * status kept as it stands.
 */
export class SubscriptionFieldMerge1764000002100 implements MigrationInterface {
  name = 'SubscriptionFieldMerge1764000002100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "subscription" ADD "license_type" text, ADD "inputs" jsonb NOT NULL DEFAULT '{}',
      ADD "grace_ends_at" TIMESTAMP WITH TIME ZONE`);
    const lcnField = (field: string, column: string) => `'${field}', jsonb_build_object('value', ${column}, 'key', ${key('lcn_key')})`;
    await queryRunner.query(`UPDATE "subscription" SET inputs = '{}'::jsonb
      || CASE WHEN lcn_key IS NOT NULL THEN jsonb_build_object(${[
        lcnField('licenseStatus', 'license_status'),
        lcnField('disabled', 'disabled'),
        lcnField('email', 'email'),
        lcnField('gracePeriodDays', 'grace_period_days'),
        lcnField('nextRenewalDate', 'next_renewal_date'),
        lcnField('nextRenewalPrice', 'next_renewal_price'),
      ].join(', ')}) ELSE '{}' END
      || CASE WHEN lcn_key IS NULL AND email IS NOT NULL
        THEN jsonb_build_object('orderEmail', jsonb_build_object('value', email, 'key', '${NO_DATE}.0.')) ELSE '{}' END
      || CASE WHEN started_by IS NOT NULL THEN jsonb_build_object('start', jsonb_build_object('refNo', started_by,
        'key', '${NO_DATE}.0.', 'product', NULL, 'expiresAt', NULL, 'email', NULL)) ELSE '{}' END
      || CASE WHEN product_id IS NOT NULL THEN jsonb_build_object('product', jsonb_build_object(
        'value', jsonb_build_object('id', product_id, 'name', product_name),
        'key', CASE WHEN split_part(product_key, '|', 1) = '1' THEN '2|' WHEN split_part(product_key, '|', 2) IN ('', '${NO_DATE}') THEN '0|' ELSE '1|' END
          || ${key(`nullif(split_part(product_key, '|', 2), '')`)})) ELSE '{}' END
      || CASE WHEN expires_at IS NOT NULL
        THEN jsonb_build_object('expiresAt', jsonb_build_object('value', expires_at, 'key', ${key('expiry_key')})) ELSE '{}' END
      || CASE WHEN cancel_key IS NOT NULL OR cancel_at_period_end
        THEN jsonb_build_object('cancelAtPeriodEnd', jsonb_build_object('value', cancel_at_period_end, 'key', ${key('cancel_key')})) ELSE '{}' END
      || CASE WHEN status_key IS NOT NULL OR status <> 'active' THEN jsonb_build_object('status', jsonb_build_object(
        'value', jsonb_build_object('from', 'stored', 'status', status), 'key', ${key('status_key')})) ELSE '{}' END`);
    // The clock ends a past-due subscription's grace period unless a message dated after its end decided.
    await queryRunner.query(`UPDATE "subscription" AS s SET grace_ends_at = g.ends AT TIME ZONE 'UTC'
      FROM (SELECT license_ref, ${EXPIRES} + coalesce(grace_period_days, 0) * interval '1 day' AS ends
            FROM "subscription" WHERE status = 'past_due') AS g
      WHERE s.license_ref = g.license_ref AND g.ends < '10000-01-01'
        AND to_char(g.ends, 'YYYYMMDDHH24MISS') >= coalesce(s.status_key, '${NO_DATE}')`);
    await queryRunner.query(`ALTER TABLE "subscription" DROP COLUMN "product_key", DROP COLUMN "status_key", DROP COLUMN "expiry_key",
      DROP COLUMN "cancel_key", DROP COLUMN "lcn_key"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_subscription_grace_ends" ON "subscription" ("grace_ends_at", "license_ref") WHERE "status" = 'past_due'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_subscription_grace_ends"`);
    await queryRunner.query(`ALTER TABLE "subscription" ADD "product_key" text, ADD "status_key" text, ADD "expiry_key" text,
      ADD "cancel_key" text, ADD "lcn_key" text`);
    const date = (path: string) => `nullif(left(inputs->${path}->>'key', 14), '')`;
    await queryRunner.query(`UPDATE "subscription" SET
      product_key = CASE left(inputs->'product'->>'key', 1) WHEN '2' THEN '1|' || substr(inputs->'product'->>'key', 3, 14)
        WHEN '1' THEN '0|' || substr(inputs->'product'->>'key', 3, 14) WHEN '0' THEN '0|${NO_DATE}'
        ELSE CASE WHEN inputs ? 'start' THEN '0|' || left(inputs->'start'->>'key', 14) END END,
      status_key = ${date(`'status'`)}, expiry_key = ${date(`'expiresAt'`)}, cancel_key = ${date(`'cancelAtPeriodEnd'`)},
      lcn_key = (SELECT max(left(value->>'key', 14)) FROM jsonb_each(inputs)
        WHERE key IN ('licenseStatus', 'disabled', 'email', 'gracePeriodDays', 'nextRenewalDate', 'nextRenewalPrice', 'licenseType'))`);
    await queryRunner.query(`ALTER TABLE "subscription" DROP COLUMN "grace_ends_at", DROP COLUMN "inputs", DROP COLUMN "license_type"`);
  }
}
