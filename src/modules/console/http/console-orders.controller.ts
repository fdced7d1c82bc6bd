import { Controller, Get, HttpStatus, Param } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../core/errors';
import { OrderJourney, OrderJourneyService } from '../application/order-journey.service';
import { ConsoleSignedIn } from './console-session.guard';

@Controller('console/api')
@ConsoleSignedIn()
export class ConsoleOrdersController {
  constructor(private readonly journeys: OrderJourneyService) {}

  @Get('orders/:refNo')
  async journey(@Param('refNo') refNo: string): Promise<OrderJourney> {
    const journey = await this.journeys.of(refNo);
    if (!journey) throw new AppException(HttpStatus.NOT_FOUND, ErrorCode.NotFound, `Nothing arrived for REFNO ${refNo}.`);
    return journey;
  }
}
