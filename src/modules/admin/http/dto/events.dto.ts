import { ApiProperty } from '@nestjs/swagger';

/** One domain event as the feed (and every other channel) carries it. */
export class EventEnvelopeDto {
  @ApiProperty({ format: 'uuid', description: 'Unique; the same on every delivery of the event (deduplicate on it)' }) eventId!: string;
  @ApiProperty({ example: 'order.completed' }) name!: string;
  @ApiProperty({ example: 1 }) version!: number;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The 2Checkout order reference (REFNO)' }) orderRef!: string | null;
  @ApiProperty({ description: 'A 2Checkout TEST order' }) test!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The event that caused this one' }) causationId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The stored notification that started the chain' })
  correlationId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The payload of the event type (see the event catalogue)' })
  data!: unknown;
}

export class EventPageDto {
  @ApiProperty({ type: [EventEnvelopeDto], description: 'Oldest first' }) events!: EventEnvelopeDto[];
  @ApiProperty({ description: 'Opaque: pass it as `after` for the next page (the same cursor when the page is empty)' }) next!: string;
}

export class DeliveryItemDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['mail', 'subscriber', 'webhook', 'amqp'] }) channel!: string;
  @ApiProperty({ example: 'subscriber:crm.sync-customer' }) target!: string;
  @ApiProperty({ description: 'What its order is kept by: order:<REFNO>, license:<ref>, or event:<id>' }) key!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() eventName!: string;
  @ApiProperty({ enum: ['pending', 'done', 'dead'] }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty() nextAttemptAt!: Date;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true }) doneAt!: Date | null;
}

export class DeliveryRetriedDto {
  @ApiProperty({ format: 'uuid' }) retried!: string;
}
