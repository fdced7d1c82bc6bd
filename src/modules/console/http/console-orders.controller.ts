import { Controller, Get, HttpStatus, Param, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AppException, ErrorCode } from '../../../core/errors';
import { ConsoleAuditService } from '../application/console-audit.service';
import { OrderJourney, OrderJourneyService } from '../application/order-journey.service';
import { ConsoleSignedIn } from './console-session.guard';

@Controller('console/api')
@ConsoleSignedIn()
export class ConsoleOrdersController {
  constructor(
    private readonly journeys: OrderJourneyService,
    private readonly audit: ConsoleAuditService,
  ) {}

  /** The order's customer and messages are personal data: audited as `order.read`, like GET /api/orders/:refNo. */
  @Get('orders/:refNo')
  journey(@Param('refNo') refNo: string, @Req() request: Request): Promise<OrderJourney> {
    return this.audit.read(request, 'order.read', refNo, async () => {
      const journey = await this.journeys.of(refNo);
      if (!journey) throw new AppException(HttpStatus.NOT_FOUND, ErrorCode.NotFound, `Nothing arrived for REFNO ${refNo}.`);
      return journey;
    });
  }
}
