import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** Every status notification for an order, applied or not (a late PENDING after COMPLETE is kept here). */
@Entity('order_status_history')
@Unique('UQ_order_status_history_notification', ['refNo', 'notificationId'])
@Index('IDX_order_status_history_ref_no', ['refNo', 'recordedAt'])
export class OrderStatusHistoryEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_order_status_history' })
  id!: string;

  @Column({ name: 'ref_no', type: 'text' })
  refNo!: string;

  @Column({ type: 'text' })
  status!: string;

  @Column({ name: 'fraud_status', type: 'text', nullable: true })
  fraudStatus!: string | null;

  @Column({ name: 'notification_id', type: 'uuid' })
  notificationId!: string;

  @Column({ name: 'ipn_date', type: 'text', nullable: true })
  ipnDate!: string | null;

  /** False: recorded only (stale, repeated or unknown status). */
  @Column({ type: 'boolean' })
  applied!: boolean;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt!: Date;
}
