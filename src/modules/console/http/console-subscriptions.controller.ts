import { Controller, Get, HttpStatus, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AppException, ErrorCode } from '../../../core/errors';
import { emailTarget } from '../../admin';
import { SubscriptionView, SubscriptionsQuery } from '../../subscriptions';
import { ConsoleAuditService } from '../application/console-audit.service';
import { ConsoleSignedIn } from './console-session.guard';
import { filterValue } from './request-values';

/** Subscriptions, found as the subscriptions module finds them: by customer email or license reference. */
@Controller('console/api')
@ConsoleSignedIn()
export class ConsoleSubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsQuery,
    private readonly audit: ConsoleAuditService,
  ) {}

  /** Audited as `subscription.read`, like GET /api/subscriptions: the email masked and hashed. */
  @Get('subscriptions')
  find(@Query('email') email: unknown, @Query('licenseRef') licenseRef: unknown, @Req() request: Request): Promise<SubscriptionView[]> {
    const reference = filterValue(licenseRef);
    const customer = filterValue(email);
    const target = reference ?? emailTarget(customer);
    return this.audit.read(request, 'subscription.read', target, async () => {
      if (reference) {
        const found = await this.subscriptions.find(reference);
        return found ? [found] : [];
      }
      if (customer) return this.subscriptions.findByEmail(customer);
      throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, 'Give ?email= or ?licenseRef=.');
    });
  }
}
