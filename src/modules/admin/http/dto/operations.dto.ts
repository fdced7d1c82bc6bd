import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601 } from 'class-validator';

export class NotificationMessageDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['ipn', 'lcn'] }) kind!: string;
  @ApiProperty({ example: 'default' }) listener!: string;
  @ApiProperty({ enum: ['accepted', 'unprocessable'] }) status!: string;
  @ApiProperty({ type: String, nullable: true }) problem!: string | null;
  @ApiProperty({ type: String, nullable: true }) refNo!: string | null;
  @ApiProperty({ type: String, nullable: true }) orderStatus!: string | null;
  @ApiProperty({ type: String, nullable: true }) ipnDate!: string | null;
  @ApiProperty({ type: String, nullable: true }) messageId!: string | null;
  @ApiProperty({ type: String, nullable: true }) licenseCode!: string | null;
  @ApiProperty() test!: boolean;
  @ApiProperty({ example: 'sha3-256' }) algorithm!: string;
  @ApiProperty({ description: 'Deliveries of this exact notification (re-sends count here)' }) deliveryCount!: number;
  @ApiProperty() receivedAt!: Date;
  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    description: 'Decoded from the raw body, in the order received',
  })
  fields!: Record<string, string | string[]>;
}

export class ReplayedDto {
  @ApiProperty({ format: 'uuid' }) replayed!: string;
}

/** POST /api/ipn/messages/replay */
export class ReplayRangeDto {
  @ApiProperty({ format: 'date-time', example: '2026-11-24T00:00:00Z', description: 'From this time (received at or after)' })
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 time' })
  from!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-25T00:00:00Z', description: 'Until this time (received before)' })
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 time' })
  to!: string;
}

export class RangeReplayedDto {
  @ApiProperty({ description: 'Accepted notifications received in [from, to), queued again' }) replayed!: number;
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
}

export class DeadLetterDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'ipn.received' }) name!: string;
  @ApiProperty({ type: String, nullable: true }) orderRef!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The stored notification whose processing failed' })
  notificationId!: string | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Prefixed with the failing consumer’s name' }) lastError!: string | null;
  @ApiProperty() createdAt!: Date;
}

export class RetriedDto {
  @ApiProperty({ format: 'uuid' }) retried!: string;
}
