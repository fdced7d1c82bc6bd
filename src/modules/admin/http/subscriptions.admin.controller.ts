import { Controller, Get, HttpStatus, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AppException, ErrorCode } from '../../../core/errors';
import { AccountsQuery } from '../../accounts';
import { SubscriptionView, SubscriptionsQuery } from '../../subscriptions';
import { emailTarget } from '../application/audit-target';
import { AdminOnly } from './admin-token.guard';
import { AuditedRead, queryText } from './audited.decorator';
import { SubscriptionDto } from './dto/subscription.dto';
import { found } from './not-found';

/** Subscriptions (one per license reference), with the account of their customer. */
@ApiTags('subscriptions')
@Controller('api')
@AdminOnly()
export class SubscriptionsAdminController {
  constructor(
    private readonly subscriptions: SubscriptionsQuery,
    private readonly accounts: AccountsQuery,
  ) {}

  @Get('subscriptions/:licenseRef')
  @ApiOperation({ summary: 'A subscription by license reference (IPN_LICENSE_REF, LICENSE_CODE), with its orders' })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiNotFoundResponse({ description: 'No subscription with this license reference' })
  @AuditedRead('subscription.read', (request) => String(request.params.licenseRef))
  async subscription(@Param('licenseRef') licenseRef: string): Promise<SubscriptionDto> {
    return this.withAccount(found(await this.subscriptions.find(licenseRef), `subscription with license reference ${licenseRef}`));
  }

  @Get('subscriptions')
  @ApiOperation({ summary: "A customer's subscriptions, oldest first" })
  @ApiQuery({ name: 'email', required: true })
  @ApiOkResponse({ type: [SubscriptionDto] })
  @AuditedRead('subscription.read', (request) => emailTarget(queryText(request.query.email)))
  async forCustomer(@Query('email') email?: string): Promise<SubscriptionDto[]> {
    if (!email) throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, 'Give ?email=.');
    return Promise.all((await this.subscriptions.findByEmail(email)).map((subscription) => this.withAccount(subscription)));
  }

  private async withAccount(subscription: SubscriptionView): Promise<SubscriptionDto> {
    const account = subscription.email ? await this.accounts.findByEmail(subscription.email) : null;
    return { ...subscription, account: account && { id: account.id, email: account.email } };
  }
}
