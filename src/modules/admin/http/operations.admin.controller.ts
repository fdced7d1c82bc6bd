import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppException, ErrorCode } from '../../../core/errors';
import { DeadLettersService } from '../../../core/events';
import { NotificationMessagesQuery, ReplayNotificationUseCase, ReplayNotificationsInRangeUseCase } from '../../ipn';
import { AdminOnly } from './admin-token.guard';
import { Audited, AuditedRead } from './audited.decorator';
import { DeadLetterDto, NotificationMessageDto, RangeReplayedDto, ReplayRangeDto, ReplayedDto, RetriedDto } from './dto/operations.dto';
import { found } from './not-found';

/** A range replay spans at most this long: a wider one is a mistake more often than a wish. */
const MAX_RANGE_MS = 31 * 86_400_000;

/** The filter of a messages read, for its audit row: REFNOs and ORDERSTATUS are no personal data. */
function messagesFilter(query: Record<string, unknown>): string {
  const filter = (['refNo', 'status'] as const).filter((name) => query[name] !== undefined).map((name) => `${name}=${String(query[name])}`);
  return filter.length > 0 ? filter.join(' ') : '(all)';
}

/** Stored notifications (debugging, replay) and the event dead letters. */
@ApiTags('operations')
@Controller('api')
@AdminOnly()
export class OperationsAdminController {
  constructor(
    private readonly messages: NotificationMessagesQuery,
    private readonly replay: ReplayNotificationUseCase,
    private readonly replayRange: ReplayNotificationsInRangeUseCase,
    private readonly deadLetters: DeadLettersService,
  ) {}

  @Get('ipn/messages')
  @ApiOperation({ summary: 'Stored notifications, newest first (fields decoded from the raw body)' })
  @ApiQuery({ name: 'refNo', required: false })
  @ApiQuery({ name: 'status', required: false, description: 'ORDERSTATUS' })
  @ApiOkResponse({ type: [NotificationMessageDto] })
  // Their fields are the platform's form as sent: the customer's name, e-mail and address.
  @AuditedRead('ipn.messages.read', (request) => messagesFilter(request.query))
  list(@Query('refNo') refNo?: string, @Query('status') status?: string) {
    return this.messages.find({ refNo, status });
  }

  @Post('ipn/messages/replay')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Re-runs the processing of every accepted notification received in [from, to) (at most 31 days)' })
  @ApiOkResponse({ type: RangeReplayedDto })
  @Audited({
    action: 'ipn.messages.replay_range',
    target: (request) => `${String(request.body?.from)}..${String(request.body?.to)}`,
    detail: (result) => `${(result as RangeReplayedDto).replayed} replayed`,
  })
  async replayMessagesInRange(@Body() body: ReplayRangeDto): Promise<RangeReplayedDto> {
    const range = plainToInstance(ReplayRangeDto, body ?? {});
    const [problem] = validateSync(range);
    if (problem) {
      const message = Object.values(problem.constraints ?? {})[0] ?? 'Give {from, to}.';
      throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, message);
    }
    const from = new Date(range.from);
    const to = new Date(range.to);
    if (!(from < to) || to.getTime() - from.getTime() > MAX_RANGE_MS) {
      throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, 'from must be before to, and the range at most 31 days.');
    }
    const replayed = await this.replayRange.execute(from, to);
    return { replayed, from: from.toISOString(), to: to.toISOString() };
  }

  @Post('ipn/messages/:id/replay')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Re-runs the processing of one stored notification (idempotent)' })
  @ApiOkResponse({ type: ReplayedDto })
  @ApiNotFoundResponse({ description: 'No accepted notification with this id' })
  @Audited({ action: 'ipn.message.replay', target: (request) => String(request.params.id) })
  async replayMessage(@Param('id', new ParseUUIDPipe()) id: string) {
    found(await this.replay.execute(id), `accepted notification ${id}`);
    return { replayed: id };
  }

  @Get('events/dead-letters')
  @ApiOperation({ summary: 'Events whose delivery was given up, with the last error' })
  @ApiOkResponse({ type: [DeadLetterDto] })
  listDeadLetters() {
    return this.deadLetters.list();
  }

  @Post('events/:id/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Puts a dead letter back in the queue with fresh attempts' })
  @ApiOkResponse({ type: RetriedDto })
  @ApiNotFoundResponse({ description: 'No dead letter with this id' })
  @Audited({ action: 'event.retry', target: (request) => String(request.params.id) })
  async retry(@Param('id', new ParseUUIDPipe()) id: string) {
    found(await this.deadLetters.retry(id), `dead letter ${id}`);
    return { retried: id };
  }
}
