import { Column, Entity, Index, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import type { EntitlementStatus } from '../domain/entitlement-policy';

/**
 * Access to a license, or to one order line without a license (domain/entitlement-policy). `refNo`
 * and `lineNo` name the line that created it; the order lines that carry it are its entitlement_line
 * rows (a renewal adds one, never a second entitlement: domain/entitlement-binding).
 */
@Entity('entitlement')
@Unique('UQ_entitlement_line', ['refNo', 'lineNo'])
@Index('IDX_entitlement_license_ref', ['licenseRef'])
export class EntitlementEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_entitlement' })
  id!: string;

  @Column({ name: 'ref_no', type: 'text' })
  refNo!: string;

  @Column({ name: 'line_no', type: 'integer' })
  lineNo!: number;

  @Column({ name: 'product_id', type: 'text' })
  productId!: string;

  @Column({ name: 'product_name', type: 'text' })
  productName!: string;

  @Column({ type: 'integer' })
  quantity!: number;

  @Column({ name: 'license_ref', type: 'text', nullable: true })
  licenseRef!: string | null;

  @Column({ name: 'license_expires_at', type: 'text', nullable: true })
  licenseExpiresAt!: string | null;

  @Column({ name: 'license_status', type: 'text', nullable: true })
  licenseStatus!: string | null;

  @Column({ name: 'license_disabled', type: 'boolean', default: false })
  licenseDisabled!: boolean;

  @Column({ name: 'delivered_codes', type: 'jsonb', default: () => `'[]'` })
  deliveredCodes!: string[];

  @Column({ type: 'varchar', length: 16 })
  status!: EntitlementStatus;

  @Column({ type: 'boolean', default: false })
  test!: boolean;

  @Column({ name: 'customer_email', type: 'text', nullable: true })
  customerEmail!: string | null;

  @Column({ name: 'granted_at', type: 'timestamptz', nullable: true })
  grantedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
