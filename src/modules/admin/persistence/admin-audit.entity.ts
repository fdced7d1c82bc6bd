import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** How an audited call ended; `requested` until it has (a row left so: the process stopped mid-way). */
export type AuditOutcome = 'requested' | 'done' | 'not_found' | 'rejected' | 'failed';

export const AUDIT_TARGET_CHARS = 200;
export const AUDIT_DETAIL_CHARS = 300;

/**
 * One call of the admin API that changes something (a replay, a retry): written before the call acts,
 * finished with its outcome after. Who: the first 8 hex digits of the SHA-256 of the bearer token
 * (never the token) and the remote address.
 */
@Entity('admin_audit')
@Index('IDX_admin_audit_at', ['at'])
export class AdminAuditEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_admin_audit' })
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ name: 'token_fingerprint', type: 'varchar', length: 16 })
  tokenFingerprint!: string;

  @Column({ name: 'remote_address', type: 'varchar', length: 64, nullable: true })
  remoteAddress!: string | null;

  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ type: 'varchar', length: AUDIT_TARGET_CHARS })
  target!: string;

  @Column({ type: 'varchar', length: 16 })
  outcome!: AuditOutcome;

  @Column({ type: 'varchar', length: AUDIT_DETAIL_CHARS, nullable: true })
  detail!: string | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
