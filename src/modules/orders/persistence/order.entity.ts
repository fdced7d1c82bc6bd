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

  /** Sort keys (domain/order-status stepKey) of the steps that set status, fraud status and facts. */
  @Column({ name: 'status_key', type: 'text', nullable: true })
  statusKey!: string | null;

  @Column({ name: 'fraud_key', type: 'text', nullable: true })
  fraudKey!: string | null;

  @Column({ name: 'facts_key', type: 'text', nullable: true })
  factsKey!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
