import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { SubscriptionStatus } from '../contracts/subscription.events';
import type { MergeInputs } from '../domain/subscription-state';

/** One subscription per license reference (domain/subscription-state). */
@Entity('subscription')
@Index('IDX_subscription_email', ['email'])
@Index('IDX_subscription_grace_ends', ['graceEndsAt', 'licenseRef'], { where: `"status" = 'past_due'` })
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

  /** STATUS and DISABLED of the newest LCN carrying each, as sent. */
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

  @Column({ name: 'license_type', type: 'text', nullable: true })
  licenseType!: string | null;

  /** What the columns above are merged from (domain/subscription-state MergeInputs): each field's value and message key. */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  inputs!: MergeInputs;

  /** When the clock is to expire a past-due subscription (null when it cannot). */
  @Column({ name: 'grace_ends_at', type: 'timestamptz', nullable: true })
  graceEndsAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
