import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { DomainEvent } from '../domain-event';

export type OutboxStatus = 'pending' | 'delivered' | 'dead';

/**
 * An event in the outbox. `pending`: to be delivered (a stored notification's received event);
 * `delivered`: settled, kept for the journey and audit until EVENT_RETENTION; `dead`: gave up after
 * the last attempt or as unprocessable, waiting for an operator.
 */
@Entity('outbox_event')
@Index('IDX_outbox_event_due', ['nextAttemptAt'], { where: `"status" = 'pending'` })
@Index('IDX_outbox_event_dead', ['createdAt'], { where: `"status" = 'dead'` })
@Index('IDX_outbox_event_delivered', ['deliveredAt'], { where: `"status" = 'delivered'` })
@Index('IDX_outbox_event_correlation', ['correlationId'])
export class OutboxEventEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_outbox_event' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'jsonb' })
  payload!: DomainEvent;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: OutboxStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** The notification that started the chain (as in the payload), for an order's journey. */
  @Column({ name: 'correlation_id', type: 'uuid', nullable: true })
  correlationId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;
}
