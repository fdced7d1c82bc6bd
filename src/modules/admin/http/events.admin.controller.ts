import { Controller, Get, HttpStatus, Query } from '@nestjs/common';
import { ApiGoneResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AppException, ErrorCode } from '../../../core/errors';
import { EventFeed, EventFilter, FeedCursorExpired, FeedCursorInvalid, FeedPage } from '../../../core/events';
import { AdminErrorCode, AdminException } from './admin.exception';
import { queryText } from './audited.decorator';
import { EventPageDto } from './dto/events.dto';
import { EventsReader } from './events-reader.guard';

/** The event feed: the durable event log, for any reader in any language. */
@ApiTags('events')
@Controller('api')
export class EventsAdminController {
  constructor(private readonly feed: EventFeed) {}

  @Get('events')
  @EventsReader()
  @ApiOperation({
    summary: 'Domain events oldest first; follow `next` to see every event once, with no gaps, in commit order',
  })
  @ApiQuery({ name: 'after', required: false, description: 'A `next` from an earlier page; none: the oldest retained event' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000, default 100' })
  @ApiQuery({ name: 'type', required: false, description: 'An event name, or a prefix such as order.* (several: comma-separated)' })
  @ApiOkResponse({ type: EventPageDto })
  @ApiGoneResponse({ description: 'The cursor is older than the retained log (EVENT_RETENTION): EVENTS_CURSOR_EXPIRED' })
  async page(@Query('after') after?: unknown, @Query('limit') limit?: unknown, @Query('type') type?: unknown): Promise<FeedPage> {
    const count = limit === undefined ? 100 : Number(queryText(limit));
    if (!Number.isInteger(count) || count < 1 || count > 1000) {
      throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, 'limit must be a whole number from 1 to 1000.');
    }
    const types = queryText(type)
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    if (type !== undefined && (!types?.length || !types.every(EventFilter.isPattern))) {
      throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, 'type must be an event name or a prefix such as order.*');
    }
    if (after !== undefined && typeof after !== 'string') {
      throw new AdminException(HttpStatus.BAD_REQUEST, AdminErrorCode.EventsCursorInvalid, 'Give one "after" cursor.');
    }
    try {
      return await this.feed.page(after, count, types);
    } catch (error) {
      if (error instanceof FeedCursorInvalid)
        throw new AdminException(HttpStatus.BAD_REQUEST, AdminErrorCode.EventsCursorInvalid, error.message);
      if (error instanceof FeedCursorExpired) throw new AdminException(HttpStatus.GONE, AdminErrorCode.EventsCursorExpired, error.message);
      throw error;
    }
  }
}
