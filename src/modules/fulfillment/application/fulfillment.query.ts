import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { EntitlementEntity, EntitlementStatus } from '../persistence/entitlement.entity';

export interface EntitlementView {
  id: string;
  lineNo: number;
  productId: string;
  productName: string;
  quantity: number;
  status: EntitlementStatus;
  licenseRef: string | null;
  licenseExpiresAt: string | null;
  licenseStatus: string | null;
  licenseDisabled: boolean;
  deliveredCodes: string[];
  grantedAt: Date | null;
  revokedAt: Date | null;
}

/** Read side of fulfilment, for the admin API. */
@Injectable()
export class FulfillmentQuery {
  constructor(@InjectRepository(EntitlementEntity) private readonly entitlements: Repository<EntitlementEntity>) {}

  async forOrder(refNo: string): Promise<EntitlementView[]> {
    const rows = await this.entitlements.find({ where: { refNo }, order: { lineNo: 'ASC' } });
    return rows.map((row) => ({
      id: row.id,
      lineNo: row.lineNo,
      productId: row.productId,
      productName: row.productName,
      quantity: row.quantity,
      status: row.status,
      licenseRef: row.licenseRef,
      licenseExpiresAt: row.licenseExpiresAt,
      licenseStatus: row.licenseStatus,
      licenseDisabled: row.licenseDisabled,
      deliveredCodes: row.deliveredCodes,
      grantedAt: row.grantedAt,
      revokedAt: row.revokedAt,
    }));
  }
}
