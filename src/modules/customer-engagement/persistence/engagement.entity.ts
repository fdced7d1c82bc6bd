import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { EngagementKind } from '../contracts/engagement.events';
import type { MessageDelivery } from './engagement.repository';

/** One message to a customer: the customer timeline. */
@Entity('engagement')
@Index('IDX_engagement_email', ['email', 'createdAt'])
@Index('IDX_engagement_ref_no', ['refNo'])
@Index('IDX_engagement_mail_due', ['nextAttemptAt'], { where: `"delivery" = 'pending'` })
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

  /** logged (log transport), pending (for the mail stage), sent, failed (after the last attempt). */
  @Column({ type: 'varchar', length: 16, default: 'logged' })
  delivery!: MessageDelivery;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  /** The sender holding the message while it sends it, until `leaseUntil`. */
  @Column({ name: 'lease_token', type: 'uuid', nullable: true })
  leaseToken!: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
