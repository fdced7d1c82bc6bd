import { Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { DeliveriesService, DeliveryBacklog, DeliveryItemStatus } from '../../../core/delivery';
import { AppException, ErrorCode } from '../../../core/errors';
import { ConsoleAuditService } from '../application/console-audit.service';
import { ConsoleSignedIn } from './console-session.guard';

const STATUSES: readonly DeliveryItemStatus[] = ['pending', 'done', 'dead'];
const SHOWN = 100;

/** The delivery stage: what waits per channel, its items (pending first), and a dead one's retry. */
@Controller('console/api')
@ConsoleSignedIn()
export class ConsoleDeliveriesController {
  constructor(
    private readonly deliveries: DeliveriesService,
    private readonly backlog: DeliveryBacklog,
    private readonly audit: ConsoleAuditService,
  ) {}

  @Get('deliveries')
  async list(@Query('status') status?: string, @Query('channel') channel?: string) {
    const wanted = STATUSES.find((known) => known === status);
    const [channels, items] = await Promise.all([
      this.backlog.get(),
      this.deliveries.list({ status: wanted, channel: channel || undefined, limit: SHOWN }),
    ]);
    return { channels: channels ?? [], items, shown: SHOWN };
  }

  @Post('deliveries/:id/retry')
  @HttpCode(HttpStatus.OK)
  retry(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: Request) {
    return this.audit.run(request, 'delivery.retry', id, async () => {
      if (!(await this.deliveries.retry(id)))
        throw new AppException(HttpStatus.NOT_FOUND, ErrorCode.NotFound, `No dead delivery item ${id}.`);
      return { retried: id };
    });
  }
}
