import { ApiProperty } from '@nestjs/swagger';

/** GET /api/audit */
export class AuditEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'When it was asked' }) at!: Date;
  @ApiProperty({
    example: '3f2a9c1e',
    description: 'First 8 hex digits of the SHA-256 of the bearer or sign-in token (never the token); `wrong-token` for a failed sign-in',
  })
  tokenFingerprint!: string;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' }) remoteAddress!: string | null;
  @ApiProperty({
    enum: [
      'ipn.message.replay',
      'ipn.messages.replay_range',
      'event.retry',
      'order.read',
      'customer.read',
      'account.read',
      'subscription.read',
      'ipn.messages.read',
      'console.sign_in',
    ],
  })
  action!: string;
  @ApiProperty({
    description:
      'The notification or event id, the range from..to, the REFNO, account id or license reference read, or an e-mail masked and hashed (`j***@example.com sha256:<16 hex>`)',
  })
  target!: string;
  @ApiProperty({
    enum: ['requested', 'done', 'not_found', 'rejected', 'failed'],
    description: 'requested: it never finished (the process stopped)',
  })
  outcome!: string;
  @ApiProperty({ type: String, nullable: true, description: 'What came of it (e.g. how many were replayed), or the error code' })
  detail!: string | null;
  @ApiProperty({ type: Date, nullable: true }) finishedAt!: Date | null;
  @ApiProperty({ description: "1; for the row counting a minute's failed sign-ins beyond the sample (`at`: the minute), their number" })
  count!: number;
}
