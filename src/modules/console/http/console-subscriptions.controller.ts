import { Controller, Get, HttpStatus, Query } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../core/errors';
import { SubscriptionView, SubscriptionsQuery } from '../../subscriptions';
import { ConsoleSignedIn } from './console-session.guard';
import { filterValue } from './request-values';

/** Subscriptions, found as the subscriptions module finds them: by customer email or licence reference. */
@Controller('console/api')
@ConsoleSignedIn()
export class ConsoleSubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsQuery) {}

  @Get('subscriptions')
  async find(@Query('email') email: unknown, @Query('licenseRef') licenseRef: unknown): Promise<SubscriptionView[]> {
    const reference = filterValue(licenseRef);
    if (reference) {
      const found = await this.subscriptions.find(reference);
      return found ? [found] : [];
    }
    const customer = filterValue(email);
    if (customer) return this.subscriptions.findByEmail(customer);
    throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, 'Give ?email= or ?licenseRef=.');
  }
}
