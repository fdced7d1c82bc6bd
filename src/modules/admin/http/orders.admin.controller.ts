import { Controller, Get, HttpStatus, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AppException, ErrorCode } from '../../../core/errors';
import { AccountsQuery, AccountView } from '../../accounts';
import { EngagementQuery } from '../../customer-engagement';
import { FulfillmentQuery } from '../../fulfillment';
import { OrdersQuery } from '../../orders';
import { emailTarget } from '../application/audit-target';
import { AdminOnly } from './admin-token.guard';
import { AuditedRead, queryText } from './audited.decorator';
import { AccountDto, CustomerTimelineDto, OrderDetailDto } from './dto/order.dto';
import { found } from './not-found';

/** Orders, accounts and customer timelines, composed from each module's public read side. */
@ApiTags('orders')
@Controller('api')
@AdminOnly()
export class OrdersAdminController {
  constructor(
    private readonly orders: OrdersQuery,
    private readonly accounts: AccountsQuery,
    private readonly fulfillment: FulfillmentQuery,
    private readonly engagement: EngagementQuery,
  ) {}

  @Get('orders/:refNo')
  @ApiOperation({ summary: "An order's journey: state, lines, status history, account, entitlements, customer messages" })
  @ApiOkResponse({ type: OrderDetailDto })
  @ApiNotFoundResponse({ description: 'No order with this REFNO' })
  @AuditedRead('order.read', (request) => String(request.params.refNo))
  async order(@Param('refNo') refNo: string) {
    const order = found(await this.orders.find(refNo), `order with REFNO ${refNo}`);
    const [account, fulfillments, engagements] = await Promise.all([
      this.accounts.findByOrder(refNo),
      this.fulfillment.forOrder(refNo),
      this.engagement.forOrder(refNo),
    ]);
    return {
      ...order,
      account: account && { id: account.id, email: account.email },
      fulfillments,
      engagements,
    };
  }

  @Get('accounts/:id')
  @ApiOperation({ summary: 'An account and the REFNOs of its orders' })
  @ApiOkResponse({ type: AccountDto })
  @ApiNotFoundResponse({ description: 'No account with this id' })
  @AuditedRead('account.read', (request) => String(request.params.id))
  async account(@Param('id', new ParseUUIDPipe()) id: string): Promise<AccountView> {
    return found(await this.accounts.find(id), `account ${id}`);
  }

  @Get('customers')
  @ApiOperation({ summary: "A customer's account, orders and message timeline, by email" })
  @ApiQuery({ name: 'email', required: true })
  @ApiOkResponse({ type: CustomerTimelineDto })
  @ApiNotFoundResponse({ description: 'No customer with this email' })
  @AuditedRead('customer.read', (request) => emailTarget(queryText(request.query.email)))
  async customer(@Query('email') email?: string) {
    if (!email) throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, 'Give ?email=.');
    const [account, orders, timeline] = await Promise.all([
      this.accounts.findByEmail(email),
      this.orders.findByEmail(email),
      this.engagement.forEmail(email),
    ]);
    if (!account && orders.length === 0) found(null, `customer with email ${email}`);
    return { email: email.trim().toLowerCase(), account, orders, timeline };
  }
}
