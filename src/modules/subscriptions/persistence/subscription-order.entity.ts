import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { SubscriptionOrderKind } from '../contracts/subscription.events';

/** A paid order carrying the subscription's license, and what it did to it. */
@Entity('subscription_order')
export class SubscriptionOrderEntity {
  @PrimaryColumn({ name: 'license_ref', type: 'text', primaryKeyConstraintName: 'PK_subscription_order' })
  licenseRef!: string;

  @PrimaryColumn({ name: 'ref_no', type: 'text', primaryKeyConstraintName: 'PK_subscription_order' })
  refNo!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: SubscriptionOrderKind;

  @CreateDateColumn({ name: 'linked_at', type: 'timestamptz' })
  linkedAt!: Date;
}
