import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { EVENT_SCHEMAS } from '../../../core/events';
import { asyncApiDocument } from '../../amqp';
import { AdminOnly } from './admin-token.guard';

/** AMQP_EXCHANGE's default, named when the broker is not configured. */
const DEFAULT_EXCHANGE = 'ipn.events';

/** The broker's side: the exchange and its messages as an AsyncAPI document. */
@ApiTags('events')
@Controller('api')
@AdminOnly()
export class AsyncApiAdminController {
  private readonly document: Record<string, unknown>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.document = asyncApiDocument(EVENT_SCHEMAS, config.amqp?.exchange ?? DEFAULT_EXCHANGE);
  }

  @Get('asyncapi.json')
  @ApiOperation({
    summary: 'AsyncAPI 3.0 document of the RabbitMQ exchange (AMQP_EXCHANGE): a channel per event name (routing key), its message schema',
  })
  @ApiOkResponse({ description: 'The AsyncAPI document', schema: { type: 'object' } })
  asyncApi(): Record<string, unknown> {
    return this.document;
  }
}
