import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { NotificationKind, SignatureAlgorithm } from '../protocol';

export type NotificationStatus = 'accepted' | 'unprocessable';

/** The inbox: every authentic notification as received, stored once per distinct signed content. */
@Entity('ipn_notification')
@Unique('UQ_ipn_notification_content', ['kind', 'listener', 'contentHash'])
@Index('IDX_ipn_notification_ref_no', ['refNo'])
@Index('IDX_ipn_notification_received_at', ['receivedAt'])
export class IpnNotificationEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_ipn_notification' })
  id!: string;

  @Column({ type: 'varchar', length: 3 })
  kind!: NotificationKind;

  @Column({ type: 'varchar', length: 64 })
  listener!: string;

  /** SHA-256 over the signed fields (names and values): equal for re-deliveries of one notification. */
  @Column({ name: 'content_hash', type: 'bytea' })
  contentHash!: Buffer;

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
