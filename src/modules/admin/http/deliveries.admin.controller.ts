import { Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DeliveriesService, DeliveryItemStatus } from '../../../core/delivery';
import { AppException, ErrorCode } from '../../../core/errors';
import { AdminOnly } from './admin-token.guard';
import { Audited, queryText } from './audited.decorator';
import { DeliveryItemDto, DeliveryRetriedDto } from './dto/events.dto';
import { found } from './not-found';

const STATUSES: readonly DeliveryItemStatus[] = ['pending', 'done', 'dead'];

/** The delivery stage's items: what failed or waits behind a failure, per channel; dead ones retried by hand. */
@ApiTags('operations')
@Controller('api')
@AdminOnly()
export class DeliveriesAdminController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get('deliveries')
  @ApiOperation({ summary: 'Delivery items (a failed delivery and what waits behind it), newest first' })
  @ApiQuery({ name: 'channel', required: false, enum: ['mail', 'subscriber', 'webhook', 'amqp'] })
  @ApiQuery({ name: 'status', required: false, enum: STATUSES })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000, default 100' })
  @ApiOkResponse({ type: [DeliveryItemDto] })
  list(@Query('channel') channel?: unknown, @Query('status') status?: unknown, @Query('limit') limit?: unknown) {
    const count = limit === undefined ? 100 : Number(queryText(limit));
    if (!Number.isInteger(count) || count < 1 || count > 1000) {
      throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, 'limit must be a whole number from 1 to 1000.');
    }
    const wanted = queryText(status);
    if (status !== undefined && !STATUSES.includes(wanted as DeliveryItemStatus)) {
      throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, `status must be one of ${STATUSES.join(', ')}.`);
    }
    return this.deliveries.list({ channel: queryText(channel), status: wanted as DeliveryItemStatus | undefined, limit: count });
  }

  @Post('deliveries/:id/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Puts a dead item back with fresh attempts, after its key's newer items" })
  @ApiOkResponse({ type: DeliveryRetriedDto })
  @ApiNotFoundResponse({ description: 'No dead item with this id' })
  @Audited({ action: 'delivery.retry', target: (request) => String(request.params.id) })
  async retry(@Param('id', new ParseUUIDPipe()) id: string) {
    found(await this.deliveries.retry(id), `dead delivery item ${id}`);
    return { retried: id };
  }
}
