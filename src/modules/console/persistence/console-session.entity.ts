import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A signed-in console session. The cookie holds a random id; this row holds only the SHA-256 of it, so
 * a copy of the table opens no session. `tokenFingerprint`: of the ADMIN_TOKEN it was opened with, so
 * that a new token ends the sessions of the old one.
 */
@Entity('console_session')
@Index('IDX_console_session_expires_at', ['expiresAt'])
export class ConsoleSessionEntity {
  @PrimaryColumn({ name: 'id_hash', type: 'char', length: 64, primaryKeyConstraintName: 'PK_console_session' })
  idHash!: string;

  @Column({ name: 'token_fingerprint', type: 'varchar', length: 16 })
  tokenFingerprint!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz', default: () => 'now()' })
  lastSeenAt!: Date;
}
