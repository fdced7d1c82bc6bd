import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const PATTERN = /^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$/i;
const PATTERN_MESSAGE = 'each of events must be an event name (order.completed), a prefix (fulfillment.*) or *';
const EVENTS_EXAMPLE = ['order.completed', 'fulfillment.*'];

/** POST /api/webhooks */
export class CreateWebhookDto {
  @ApiProperty({ example: 'https://example.com/hooks/ipn', description: 'http(s) only; no private, loopback or link-local address' })
  @IsString({ message: 'url must be a string' })
  @MaxLength(2000, { message: 'url must be at most 2000 characters' })
  url!: string;

  @ApiProperty({ example: EVENTS_EXAMPLE, description: 'Event names, prefixes ending in .*, or *' })
  @IsArray({ message: 'events must be an array of event names' })
  @ArrayNotEmpty({ message: 'events must name at least one event' })
  @ArrayMaxSize(100, { message: 'events must have at most 100 entries' })
  @Matches(PATTERN, { each: true, message: PATTERN_MESSAGE })
  events!: string[];

  @ApiPropertyOptional({ example: 'CRM sync' })
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  description?: string;
}

/** PATCH /api/webhooks/:id: what is given changes. */
export class UpdateWebhookDto {
  @ApiPropertyOptional({ example: 'https://example.com/hooks/ipn' })
  @IsOptional()
  @IsString({ message: 'url must be a string' })
  @MaxLength(2000, { message: 'url must be at most 2000 characters' })
  url?: string;

  @ApiPropertyOptional({ example: EVENTS_EXAMPLE })
  @IsOptional()
  @IsArray({ message: 'events must be an array of event names' })
  @ArrayNotEmpty({ message: 'events must name at least one event' })
  @ArrayMaxSize(100, { message: 'events must have at most 100 entries' })
  @Matches(PATTERN, { each: true, message: PATTERN_MESSAGE })
  events?: string[];

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  description?: string | null;

  @ApiPropertyOptional({ enum: ['enabled', 'disabled'], description: 'Disabling skips what was not delivered; enabling goes on from now' })
  @IsOptional()
  @IsIn(['enabled', 'disabled'], { message: 'status must be enabled or disabled' })
  status?: 'enabled' | 'disabled';
}

/** POST /api/webhooks/:id/replay */
export class ReplayWebhookDto {
  @ApiProperty({ format: 'date-time', example: '2026-11-24T00:00:00Z', description: 'Events logged at or after this time' })
  @IsISO8601({ strict: true }, { message: 'since must be an ISO-8601 time' })
  since!: string;
}

export class WebhookEndpointDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ example: EVENTS_EXAMPLE }) events!: string[];
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ enum: ['enabled', 'disabled'] }) status!: string;
  @ApiProperty({
    enum: ['manual', 'gone', 'failing'],
    nullable: true,
    description: 'By hand, by a 410 Gone, or after WEBHOOK_DISABLE_AFTER',
  })
  disabledReason!: string | null;
  @ApiProperty({ type: Date, nullable: true }) disabledAt!: Date | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class CreatedWebhookDto extends WebhookEndpointDto {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: 'Shown here and on rotation only' }) secret!: string;
}

export class RotatedSecretDto {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }) secret!: string;
  @ApiProperty({ type: Date, nullable: true, description: 'The previous secret signs beside it until then (WEBHOOK_SECRET_OVERLAP)' })
  previousValidUntil!: Date | null;
}

export class WebhookAttemptDto {
  @ApiProperty({ format: 'uuid', description: 'The event id: the webhook-id header' }) eventId!: string;
  @ApiProperty({ example: 'order.completed' }) type!: string;
  @ApiProperty({ description: '1 for the first attempt' }) attempt!: number;
  @ApiProperty() at!: Date;
  @ApiProperty({ type: Number, nullable: true, description: 'The HTTP status answered; null without an answer' }) status!: number | null;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Null on success; at most ~200 characters of the answer' }) error!:
    string | null;
}

export class WebhookReplayedDto {
  @ApiProperty({ description: 'Events queued again' }) replayed!: number;
  @ApiProperty({ format: 'date-time' }) since!: Date;
  @ApiProperty({ description: 'True when the replay stopped at 10,000 events: replay again from the last one' }) limited!: boolean;
}

export class WebhookDeletedDto {
  @ApiProperty({ format: 'uuid' }) deleted!: string;
}
