import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { NotificationKind, SignatureAlgorithm } from '../protocol';

export type NotificationStatus = 'accepted' | 'unprocessable';

/**
 * The inbox: every authentic notification as received, stored once per account and identity (the
 * SHA-256 of its signature source), however many listeners, keys or field names it arrived with. Rows
 * stored twice before identities were per account (`copy_of` set) stay as records, outside the key.
 */
@Entity('ipn_notification')
@Index('UQ_ipn_notification_identity', ['kind', 'account', 'identityHash'], { unique: true, where: '"copy_of" IS NULL' })
@Index('IDX_ipn_notification_ref_no', ['refNo'])
@Index('IDX_ipn_notification_received_at', ['receivedAt'])
export class IpnNotificationEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_ipn_notification' })
  id!: string;

  @Column({ type: 'varchar', length: 3 })
  kind!: NotificationKind;

  /** The listener of its first delivery. */
  @Column({ type: 'varchar', length: 64 })
  listener!: string;

  /** The 2Checkout account of that listener (ListenerConfig.account). */
  @Column({ type: 'varchar', length: 64 })
  account!: string;

  /** SHA-256 of the signature source (protocol/identity): equal for every delivery of one notification. */
  @Column({ name: 'identity_hash', type: 'bytea' })
  identityHash!: Buffer;

  /** Set on a row that stores again a notification stored before (the first row's id): processed never. */
  @Column({ name: 'copy_of', type: 'uuid', nullable: true })
  copyOf!: string | null;

  @Column({ type: 'varchar', length: 8 })
  algorithm!: SignatureAlgorithm;

  @Column({ type: 'varchar', length: 16 })
  status!: NotificationStatus;

  @Column({ type: 'text', nullable: true })
  problem!: string | null;

  @Column({ name: 'raw_body', type: 'bytea' })
  rawBody!: Buffer;

  @Column({ name: 'ref_no', type: 'text', nullable: true })
  refNo!: string | null;

  @Column({ name: 'order_status', type: 'text', nullable: true })
  orderStatus!: string | null;

  @Column({ name: 'ipn_date', type: 'text', nullable: true })
  ipnDate!: string | null;

  @Column({ name: 'message_id', type: 'text', nullable: true })
  messageId!: string | null;

  @Column({ name: 'license_code', type: 'text', nullable: true })
  licenseCode!: string | null;

  @Column({ name: 'test_order', type: 'boolean', default: false })
  testOrder!: boolean;

  @Column({ name: 'remote_address', type: 'text', nullable: true })
  remoteAddress!: string | null;

  @Column({ name: 'delivery_count', type: 'integer', default: 1 })
  deliveryCount!: number;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'last_received_at', type: 'timestamptz', default: () => 'now()' })
  lastReceivedAt!: Date;
}
