import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { LineKind } from '../domain/entitlement-binding';
import type { LineStatus } from '../domain/entitlement-policy';

/** An order line whose trigger was reached, the status its order gives it, and the entitlement it carries. */
@Entity('entitlement_line')
@Index('IDX_entitlement_line_entitlement', ['entitlementId'])
export class EntitlementLineEntity {
  @PrimaryColumn({ name: 'ref_no', type: 'text', primaryKeyConstraintName: 'PK_entitlement_line' })
  refNo!: string;

  @PrimaryColumn({ name: 'line_no', type: 'integer', primaryKeyConstraintName: 'PK_entitlement_line' })
  lineNo!: number;

  @Column({ name: 'entitlement_id', type: 'uuid' })
  entitlementId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: LineStatus;

  /** IPN_LICENSE_TYPE read as new purchase, renewal or upgrade. */
  @Column({ type: 'varchar', length: 16 })
  kind!: LineKind;

  @Column({ name: 'product_id', type: 'text' })
  productId!: string;

  @Column({ name: 'product_name', type: 'text' })
  productName!: string;

  @Column({ type: 'integer' })
  quantity!: number;

  @Column({ name: 'license_ref', type: 'text', nullable: true })
  licenseRef!: string | null;

  /** IPN_LICENSE_EXP as the order sent it. */
  @Column({ name: 'license_expires_at', type: 'text', nullable: true })
  licenseExpiresAt!: string | null;

  @Column({ name: 'delivered_codes', type: 'jsonb', default: () => `'[]'` })
  deliveredCodes!: string[];

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
