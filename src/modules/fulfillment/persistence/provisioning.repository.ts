import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { ProvisioningResult } from '../provisioning/provisioning-strategy';

export interface ProvisioningView {
  idempotencyKey: string;
  strategy: string;
  entitlementId: string;
  refNo: string;
  grantEventId: string;
  result: ProvisioningResult;
  provisionedAt: Date;
}

/** Every statement on provisioning: what strategies returned for each grant. */
@Injectable()
export class ProvisioningRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** In the provisioning subscriber's transaction; a key provisioned before keeps its newest result. */
  async record(
    manager: EntityManager,
    results: ReadonlyArray<{
      key: string;
      strategy: string;
      entitlementId: string;
      refNo: string;
      grantEventId: string;
      result: ProvisioningResult;
    }>,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO provisioning (idempotency_key, strategy, entitlement_id, ref_no, grant_event_id, result)
       SELECT r.key, r.strategy, r.entitlement_id, r.ref_no, r.grant_event_id, r.result
       FROM json_to_recordset($1::json) AS r(key text, strategy text, entitlement_id uuid, ref_no text, grant_event_id uuid, result jsonb)
       ON CONFLICT (idempotency_key) DO UPDATE SET result = EXCLUDED.result, provisioned_at = now()`,
      [
        JSON.stringify(
          results.map((result) => ({
            key: result.key,
            strategy: result.strategy,
            entitlement_id: result.entitlementId,
            ref_no: result.refNo,
            grant_event_id: result.grantEventId,
            result: result.result,
          })),
        ),
      ],
    );
  }

  /** An order's provisionings, oldest first. */
  ofOrder(refNo: string): Promise<ProvisioningView[]> {
    return this.dataSource.query(
      `SELECT idempotency_key AS "idempotencyKey", strategy, entitlement_id AS "entitlementId", ref_no AS "refNo",
         grant_event_id AS "grantEventId", result, provisioned_at AS "provisionedAt"
       FROM provisioning WHERE ref_no = $1 ORDER BY provisioned_at`,
      [refNo],
    );
  }
}
