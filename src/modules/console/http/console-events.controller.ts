import { Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AppException, ErrorCode } from '../../../core/errors';
import { DeadLettersService, EventHistoryQuery } from '../../../core/events';
import { NotificationActivityQuery } from '../../ipn';
import { ConsoleAuditService } from '../application/console-audit.service';
import { PendingEventsSampler } from '../application/pending-events.sampler';
import { ConsoleSignedIn } from './console-session.guard';

const CHART_MINUTES = 60;

/** The queue: dead letters and their retry, and the activity chart. */
@Controller('console/api')
@ConsoleSignedIn()
export class ConsoleEventsController {
  constructor(
    private readonly deadLetters: DeadLettersService,
    private readonly history: EventHistoryQuery,
    private readonly activity: NotificationActivityQuery,
    private readonly pending: PendingEventsSampler,
    private readonly audit: ConsoleAuditService,
  ) {}

  @Get('dead-letters')
  list() {
    return this.deadLetters.list();
  }

  @Post('dead-letters/:id/retry')
  @HttpCode(HttpStatus.OK)
  retry(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: Request) {
    return this.audit.run(request, 'event.retry', id, async () => {
      if (!(await this.deadLetters.retry(id))) throw new AppException(HttpStatus.NOT_FOUND, ErrorCode.NotFound, `No dead letter ${id}.`);
      return { retried: id };
    });
  }

  /** Requests per minute by outcome over the last hour, the queue's depth sampled over it, and the queue `at` now. */
  @Get('activity')
  async chart() {
    const now = Date.now();
    const since = new Date(now - (now % 60_000) - (CHART_MINUTES - 1) * 60_000);
    const [perMinute, backlog] = await Promise.all([this.activity.perMinute(since), this.history.backlog()]);
    return { since, minutes: CHART_MINUTES, perMinute, pending: this.pending.recent(), backlog, at: new Date(now) };
  }
}
