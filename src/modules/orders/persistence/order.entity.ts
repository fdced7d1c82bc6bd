import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { CustomerDetails, OrderItemDetails } from '../contracts/order-snapshot';
import type { Milestone } from '../domain/order-status';

/** One 2Checkout order (REFNO), as the notifications so far describe it. */
@Entity('order')
export class OrderEntity {
  @PrimaryColumn({ name: 'ref_no', type: 'text', primaryKeyConstraintName: 'PK_order' })
  refNo!: string;

  @Column({ type: 'text', nullable: true })
  status!: string | null;

  @Column({ name: 'fraud_status', type: 'text', nullable: true })
  fraudStatus!: string | null;

  @Column({ type: 'boolean', default: false })
  test!: boolean;

  @Column({ type: 'text', nullable: true })
  currency!: string | null;

  @Column({ type: 'jsonb' })
  customer!: CustomerDetails;

  @Column({ type: 'jsonb' })
  items!: OrderItemDetails[];

  /** Milestones reached, each once: the events already emitted. */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  milestones!: Milestone[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
