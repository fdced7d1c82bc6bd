import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { ChargebackRecord } from '../domain/chargeback';
import type { CustomerDetails, OrderItemDetails } from '../contracts/order-snapshot';
import type { Milestone } from '../domain/order-status';
import type { RefundRecord } from '../domain/refunds';

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

  /** Milestones reached, each once: the events already emitted (`refunded` only while everything is refunded). */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  milestones!: Milestone[];

  /** The highest-ranked lifecycle status received (`status` is the effective one: REVERSED, REFUND overlay it). */
  @Column({ name: 'lifecycle_status', type: 'text', nullable: true })
  lifecycleStatus!: string | null;

  /** Sort keys (domain/order-status stepKey) of the steps that set the lifecycle status, fraud status and facts. */
  @Column({ name: 'lifecycle_key', type: 'text', nullable: true })
  lifecycleKey!: string | null;

  @Column({ name: 'fraud_key', type: 'text', nullable: true })
  fraudKey!: string | null;

  @Column({ name: 'facts_key', type: 'text', nullable: true })
  factsKey!: string | null;

  /** Keys of the newest authorization or completion and of the newest REVERSED: whether a reversal stands. */
  @Column({ name: 'paid_key', type: 'text', nullable: true })
  paidKey!: string | null;

  @Column({ name: 'reversed_key', type: 'text', nullable: true })
  reversedKey!: string | null;

  /** Every refund notification, full or partial, once per notification identity (domain/refunds). */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  refunds!: RefundRecord[];

  /** The dispute, merged from the chargeback notifications (domain/chargeback). */
  @Column({ type: 'jsonb', nullable: true })
  chargeback!: ChargebackRecord | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
