import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { EngagementKind } from '../contracts/engagement.events';

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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
