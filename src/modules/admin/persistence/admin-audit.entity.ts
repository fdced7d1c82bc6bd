import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** How an audited call ended; `requested` until it has (a row left so: the process stopped mid-way). */
export type AuditOutcome = 'requested' | 'done' | 'not_found' | 'rejected' | 'failed';

export const AUDIT_TARGET_CHARS = 200;
export const AUDIT_DETAIL_CHARS = 300;

/** Who failed to sign in: the typed text is neither stored nor hashed (it may be a mistyped other secret). */
export const NO_VALID_TOKEN = 'wrong-token';

/**
 * One audited call: a change (a replay, a retry: written before the call acts, finished with its
 * outcome after), a read of customer data or a console sign-in (one row, written with its outcome).
 * Who: the first 8 hex digits of the SHA-256 of the token (never the token) and the remote address.
 * Failed sign-ins beyond a sample are counted, per action and minute, in one row (`sampled` false, `at`
 * the minute, `count`).
 */
@Entity('admin_audit')
@Index('IDX_admin_audit_at', ['at'])
@Index('UQ_admin_audit_counted', ['action', 'at'], { unique: true, where: 'sampled = false' })
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

  @Column({ type: 'boolean', default: true })
  sampled!: boolean;

  /** The calls this row stands for: 1, or a minute's unsampled ones. */
  @Column({ type: 'integer', default: 1 })
  count!: number;
}
