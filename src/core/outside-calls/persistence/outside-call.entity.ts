import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

export type OutsideCallStatus = 'pending' | 'done' | 'failed';

/**
 * A call to another system, recorded in the transaction that decided it and performed after the commit:
 * `pending` (due at next_attempt_at, leased while in flight), `done` (with the handler's result), or
 * `failed` after the handler's last attempt.
 */
@Entity('outside_call')
@Unique('UQ_outside_call_key', ['handler', 'key'])
@Index('IDX_outside_call_due', ['nextAttemptAt'], { where: `"status" = 'pending'` })
export class OutsideCallEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_outside_call' })
  id!: string;

  @Column({ type: 'text' })
  handler!: string;

  /** Unique per handler: the idempotency key of the call (also handed to the handler). */
  @Column({ type: 'text' })
  key!: string;

  @Column({ type: 'jsonb' })
  payload!: unknown;

  @Column({ name: 'order_ref', type: 'text', nullable: true })
  orderRef!: string | null;

  @Column({ name: 'correlation_id', type: 'uuid', nullable: true })
  correlationId!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: OutsideCallStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ name: 'lease_token', type: 'uuid', nullable: true })
  leaseToken!: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  result!: unknown;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'done_at', type: 'timestamptz', nullable: true })
  doneAt!: Date | null;
}
