import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { NotificationKind } from '../protocol';

/** `malformed`: authentic, but holding what cannot be stored (a NUL byte). */
export type RejectionReason = 'signature_missing' | 'signature_invalid' | 'malformed';

/** A POST that was refused: who sent it and why. Never the secret or the body. */
@Entity('ipn_rejection')
@Index('IDX_ipn_rejection_received_at', ['receivedAt'])
export class IpnRejectionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_ipn_rejection' })
  id!: string;

  @Column({ type: 'varchar', length: 3 })
  kind!: NotificationKind;

  @Column({ type: 'varchar', length: 64 })
  listener!: string;

  @Column({ type: 'varchar', length: 32 })
  reason!: RejectionReason;

  @Column({ type: 'text' })
  detail!: string;

  @Column({ name: 'remote_address', type: 'text', nullable: true })
  remoteAddress!: string | null;

  @Column({ name: 'ref_no', type: 'text', nullable: true })
  refNo!: string | null;

  @Column({ name: 'body_bytes', type: 'integer' })
  bodyBytes!: number;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
