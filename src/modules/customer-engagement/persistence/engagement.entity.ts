import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { EngagementKind } from '../contracts/engagement.events';
import type { MessageDelivery } from './engagement.repository';

/** One message to a customer: the customer timeline. */
@Entity('engagement')
@Index('IDX_engagement_email', ['email', 'createdAt'])
@Index('IDX_engagement_ref_no', ['refNo'])
export class EngagementEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_engagement' })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: EngagementKind;

  @Column({ type: 'text' })
  email!: string;

  @Column({ name: 'ref_no', type: 'text', nullable: true })
  refNo!: string | null;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'varchar', length: 32 })
  transport!: string;

  @Column({ type: 'boolean', default: false })
  test!: boolean;

  /** The event that called for this message. */
  @Column({ name: 'cause_event_id', type: 'uuid' })
  causeEventId!: string;

  /** logged (log transport), pending (for the mail target of the delivery stage), sent, failed (after the last attempt). */
  @Column({ type: 'varchar', length: 16, default: 'logged' })
  delivery!: MessageDelivery;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
