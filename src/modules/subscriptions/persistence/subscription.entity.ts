import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { SubscriptionStatus } from '../contracts/subscription.events';

/** One subscription per licence reference (domain/subscription-state). */
@Entity('subscription')
@Index('IDX_subscription_email', ['email'])
export class SubscriptionEntity {
  @PrimaryColumn({ name: 'license_ref', type: 'text', primaryKeyConstraintName: 'PK_subscription' })
  licenseRef!: string;

  @Column({ name: 'product_id', type: 'text', nullable: true })
  productId!: string | null;

  @Column({ name: 'product_name', type: 'text', nullable: true })
  productName!: string | null;

  /** Never `canceled`: an expired subscription with cancelAtPeriodEnd is shown as canceled (statusShown). */
  @Column({ type: 'varchar', length: 24 })
  status!: SubscriptionStatus;

  @Column({ name: 'expires_at', type: 'text', nullable: true })
  expiresAt!: string | null;

  @Column({ name: 'cancel_at_period_end', type: 'boolean', default: false })
  cancelAtPeriodEnd!: boolean;

  @Column({ name: 'grace_period_days', type: 'integer', nullable: true })
  gracePeriodDays!: number | null;

  @Column({ name: 'next_renewal_date', type: 'text', nullable: true })
  nextRenewalDate!: string | null;

  @Column({ name: 'next_renewal_price', type: 'text', nullable: true })
  nextRenewalPrice!: string | null;

  /** STATUS and DISABLED of the newest LCN, as sent. */
  @Column({ name: 'license_status', type: 'text', nullable: true })
  licenseStatus!: string | null;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ name: 'started_by', type: 'text', nullable: true })
  startedBy!: string | null;

  @Column({ type: 'boolean', default: false })
  test!: boolean;

  /** Platform dates (YmdHis) of the messages that set the product, status, expiry, cancellation and LCN fields. */
  @Column({ name: 'product_key', type: 'text', nullable: true })
  productKey!: string | null;

  @Column({ name: 'status_key', type: 'text', nullable: true })
  statusKey!: string | null;

  @Column({ name: 'expiry_key', type: 'text', nullable: true })
  expiryKey!: string | null;

  @Column({ name: 'cancel_key', type: 'text', nullable: true })
  cancelKey!: string | null;

  @Column({ name: 'lcn_key', type: 'text', nullable: true })
  lcnKey!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
