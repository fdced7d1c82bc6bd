import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Fulfilment's copy of each subscription's state (from the subscription events), also for licenses
 * whose order has not been fulfilled yet: what the entitlements carrying the license show and obey.
 */
@Entity('license_state')
export class LicenseStateEntity {
  @PrimaryColumn({ name: 'license_code', type: 'text', primaryKeyConstraintName: 'PK_license_state' })
  licenseCode!: string;

  @Column({ name: 'expiration_date', type: 'text', nullable: true })
  expirationDate!: string | null;

  /** STATUS of the newest LCN, as sent. */
  @Column({ type: 'text', nullable: true })
  status!: string | null;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  /** The subscription's status (active, past_due, expired, ...). */
  @Column({ name: 'subscription_status', type: 'text', nullable: true })
  subscriptionStatus!: string | null;
}
