import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The latest LCN per license code, also for licenses whose order has not been fulfilled yet. */
@Entity('license_state')
export class LicenseStateEntity {
  @PrimaryColumn({ name: 'license_code', type: 'text', primaryKeyConstraintName: 'PK_license_state' })
  licenseCode!: string;

  @Column({ name: 'expiration_date', type: 'text', nullable: true })
  expirationDate!: string | null;

  @Column({ type: 'text', nullable: true })
  status!: string | null;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  @Column({ name: 'date_updated', type: 'text', nullable: true })
  dateUpdated!: string | null;
}
