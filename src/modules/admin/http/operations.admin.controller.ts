import { Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { DeadLettersService } from '../../../core/events';
import { NotificationMessagesQuery, ReplayNotificationUseCase } from '../../ipn';
import { AdminOnly } from './admin-token.guard';
import { found } from './not-found';

/** Stored notifications (debugging, replay) and the event dead letters. */
@Controller('api')
@AdminOnly()
export class OperationsAdminController {
  constructor(
    private readonly messages: NotificationMessagesQuery,
    private readonly replay: ReplayNotificationUseCase,
    private readonly deadLetters: DeadLettersService,
  ) {}

  @Get('ipn/messages')
  list(@Query('refNo') refNo?: string, @Query('status') status?: string) {
    return this.messages.find({ refNo, status });
  }

  @Post('ipn/messages/:id/replay')
  @HttpCode(HttpStatus.OK)
  async replayMessage(@Param('id', new ParseUUIDPipe()) id: string) {
    found(await this.replay.execute(id), `accepted notification ${id}`);
    return { replayed: id };
  }

  @Get('events/dead-letters')
  listDeadLetters() {
    return this.deadLetters.list();
  }

  @Post('events/:id/retry')
  @HttpCode(HttpStatus.OK)
  async retry(@Param('id', new ParseUUIDPipe()) id: string) {
    found(await this.deadLetters.retry(id), `dead letter ${id}`);
    return { retried: id };
  }
}
