import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Fulfilment's own view of an order: the row grant and revoke lock, so that they serialise whatever
 * order the events arrive in, and the closed flag that keeps a late grant from undoing a revocation.
 */
@Entity('fulfillment_order')
export class FulfillmentOrderEntity {
  @PrimaryColumn({ name: 'ref_no', type: 'text', primaryKeyConstraintName: 'PK_fulfillment_order' })
  refNo!: string;

  @Column({ type: 'boolean', default: false })
  closed!: boolean;
}
