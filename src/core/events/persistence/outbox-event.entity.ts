import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { DomainEvent } from '../domain-event';
import type { ChainLink } from './outbox.repository';

export type OutboxStatus = 'pending' | 'delivered' | 'dead';

/**
 * An event in the outbox: a stored notification's received event. `pending`: to be delivered;
 * `delivered`: settled, with the chain of events its delivery raised, kept for the journey and audit
 * until EVENT_RETENTION; `dead`: gave up after the last attempt or as unprocessable, for an operator.
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

  /** The events the delivery raised, in order, without their data. */
  @Column({ type: 'jsonb', nullable: true })
  chain!: ChainLink[] | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;
}
