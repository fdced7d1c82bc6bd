import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { NotificationKind } from '../protocol';

/**
 * Why a POST (or a URL check) was refused. `malformed`: authentic, but holding what cannot be stored
 * (a NUL byte); `legacy_ins`: a post of 2Checkout's old INS protocol, which this service does not speak.
 */
export type RejectionReason =
  | 'signature_missing'
  | 'signature_invalid'
  | 'malformed'
  | 'too_many_fields'
  | 'field_name_too_long'
  | 'mixed_field_forms'
  | 'legacy_ins'
  | 'sender_not_allowed';

/** Longest text kept from a request: enough to recognise a REFNO or an address, too short to abuse. */
export const REJECTION_TEXT_CHARS = 64;
export const REJECTION_DETAIL_CHARS = 300;

/**
 * A refused request: who sent it and why. Never the secret or the body, and every text bounded. A
 * sample of refusals is kept one row each (`sampled`: at most IPN_REFUSAL_RECORDS_PER_MINUTE a minute,
 * a few per sender and reason); the rest of a minute are counted in one row per (kind, listener,
 * reason, minute), whatever their senders (`sampled` false, `received_at` the minute, `count`,
 * `remote_address` their one sender, or null when there were several).
 */
@Entity('ipn_rejection')
@Index('IDX_ipn_rejection_received_at', ['receivedAt'])
@Index('UQ_ipn_rejection_counted', ['kind', 'listener', 'reason', 'receivedAt'], { unique: true, where: 'sampled = false' })
export class IpnRejectionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_ipn_rejection' })
  id!: string;

  @Column({ type: 'varchar', length: 3 })
  kind!: NotificationKind;

  @Column({ type: 'varchar', length: 64 })
  listener!: string;

  @Column({ type: 'varchar', length: 32 })
  reason!: RejectionReason;

  @Column({ type: 'varchar', length: REJECTION_DETAIL_CHARS })
  detail!: string;

  @Column({ name: 'remote_address', type: 'varchar', length: REJECTION_TEXT_CHARS, nullable: true })
  remoteAddress!: string | null;

  @Column({ name: 'ref_no', type: 'varchar', length: REJECTION_TEXT_CHARS, nullable: true })
  refNo!: string | null;

  /** The largest body among those counted. */
  @Column({ name: 'body_bytes', type: 'integer' })
  bodyBytes!: number;

  @Column({ type: 'boolean', default: true })
  sampled!: boolean;

  @Column({ type: 'integer', default: 1 })
  count!: number;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'last_received_at', type: 'timestamptz', default: () => 'now()' })
  lastReceivedAt!: Date;
}
