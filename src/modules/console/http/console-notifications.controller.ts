import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AppException, ErrorCode } from '../../../core/errors';
import { NotificationActivityQuery, ReplayNotificationUseCase, ReplayNotificationsInRangeUseCase } from '../../ipn';
import { ConsoleAuditService } from '../application/console-audit.service';
import { ConsoleSignedIn } from './console-session.guard';
import { filterValue, outcomeFilter, timeRange } from './request-values';

const DAY_MS = 86_400_000;

/** What arrived, what became of it, and replays. */
@Controller('console/api')
@ConsoleSignedIn()
export class ConsoleNotificationsController {
  constructor(
    private readonly activity: NotificationActivityQuery,
    private readonly replayOne: ReplayNotificationUseCase,
    private readonly replayRange: ReplayNotificationsInRangeUseCase,
    private readonly audit: ConsoleAuditService,
  ) {}

  @Get('notifications')
  list(
    @Query('refNo') refNo: unknown,
    @Query('status') status: unknown,
    @Query('listener') listener: unknown,
    @Query('outcome') outcome: unknown,
  ) {
    return this.activity.recent({
      refNo: filterValue(refNo),
      status: filterValue(status),
      listener: filterValue(listener),
      outcome: outcomeFilter(outcome),
      limit: 200,
    });
  }

  @Post('notifications/:id/replay')
  @HttpCode(HttpStatus.OK)
  replay(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: Request) {
    return this.audit.run(request, 'ipn.message.replay', id, async () => {
      if (!(await this.replayOne.execute(id))) {
        throw new AppException(HttpStatus.NOT_FOUND, ErrorCode.NotFound, `No accepted notification ${id}.`);
      }
      return { queued: 1 };
    });
  }

  @Post('replays')
  @HttpCode(HttpStatus.OK)
  replayBetween(@Body() body: unknown, @Req() request: Request) {
    const { from, to } = timeRange(body);
    return this.audit.run(
      request,
      'ipn.messages.replay_range',
      `${from.toISOString()}..${to.toISOString()}`,
      async () => ({ from, to, queued: await this.replayRange.execute(from, to) }),
      (result) => `${result.queued} replayed`,
    );
  }

  @Get('refusals')
  async refusals() {
    const since = new Date(Date.now() - DAY_MS);
    return { since, reasons: await this.activity.refusalsByReason(since) };
  }
}
