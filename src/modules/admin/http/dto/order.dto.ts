import { ApiProperty } from '@nestjs/swagger';

export class CustomerDto {
  @ApiProperty({ type: String, nullable: true, example: 'buyer@example.com' }) email!: string | null;
  @ApiProperty({ type: String, nullable: true }) firstName!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastName!: string | null;
  @ApiProperty({ type: String, nullable: true }) company!: string | null;
  @ApiProperty({ type: String, nullable: true }) country!: string | null;
  @ApiProperty({ type: String, nullable: true }) countryCode!: string | null;
  @ApiProperty({ type: String, nullable: true }) language!: string | null;
}

export class OrderItemDto {
  @ApiProperty() lineNo!: number;
  @ApiProperty() productId!: string;
  @ApiProperty({ type: String, nullable: true }) productCode!: string | null;
  @ApiProperty() name!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ type: String, nullable: true, example: '49.00' }) price!: string | null;
  @ApiProperty({ type: String, nullable: true }) licenseRef!: string | null;
  @ApiProperty({ type: String, nullable: true }) licenseType!: string | null;
  @ApiProperty({ type: String, nullable: true }) licenseExpiresAt!: string | null;
  @ApiProperty({ type: [String] }) deliveredCodes!: string[];
}

export class StatusChangeDto {
  @ApiProperty({ example: 'COMPLETE' }) status!: string;
  @ApiProperty({ type: String, nullable: true }) fraudStatus!: string | null;
  @ApiProperty({ description: 'False: a late or repeated status, recorded but changing nothing' }) applied!: boolean;
  @ApiProperty({ type: String, nullable: true, example: '20261124102959' }) ipnDate!: string | null;
  @ApiProperty() at!: Date;
}

export class AccountRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
}

export class EntitlementDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() lineNo!: number;
  @ApiProperty() productId!: string;
  @ApiProperty() productName!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ enum: ['granted', 'revoked', 'held', 'expired'] }) status!: string;
  @ApiProperty({ type: String, nullable: true }) licenseRef!: string | null;
  @ApiProperty({ type: String, nullable: true }) licenseExpiresAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) licenseStatus!: string | null;
  @ApiProperty() licenseDisabled!: boolean;
  @ApiProperty({ type: [String] }) deliveredCodes!: string[];
  @ApiProperty({ type: Date, nullable: true }) grantedAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) revokedAt!: Date | null;
}

export class EngagementDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'order_confirmation' }) kind!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ type: String, nullable: true }) refNo!: string | null;
  @ApiProperty() subject!: string;
  @ApiProperty({ example: 'log' }) transport!: string;
  @ApiProperty() test!: boolean;
  @ApiProperty() at!: Date;
  @ApiProperty({ enum: ['logged', 'pending', 'sent', 'failed'] }) delivery!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ type: Date, nullable: true }) sentAt!: Date | null;
}

export class OrderSummaryDto {
  @ApiProperty({ example: '900123' }) refNo!: string;
  @ApiProperty({ type: String, nullable: true, example: 'COMPLETE' }) status!: string | null;
  @ApiProperty() test!: boolean;
  @ApiProperty({ type: String, nullable: true }) fraudStatus!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'USD' }) currency!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class RefundDto {
  @ApiProperty({ example: '10.00', description: 'Decimal string' }) amount!: string;
  @ApiProperty({ type: String, nullable: true, example: 'USD' }) currency!: string | null;
  @ApiProperty({ type: [Number], description: 'Lines refunded: all for a full refund, none for an amount only' }) lines!: number[];
  @ApiProperty({ description: 'When the refund notification arrived (ISO)' }) at!: string;
}

export class ChargebackDto {
  @ApiProperty({ type: String, nullable: true, description: 'CHARGEBACK_REASON_CODE' }) reasonCode!: string | null;
  @ApiProperty({ description: 'CHARGEBACK_RESOLUTION as last sent' }) resolution!: string;
  @ApiProperty() openedAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'When it was won, lost or accepted; null while open' }) closedAt!:
    string | null;
  @ApiProperty({ enum: ['open', 'won', 'lost'] }) state!: string;
}

/** GET /api/orders/:refNo */
export class OrderDetailDto extends OrderSummaryDto {
  @ApiProperty({ type: CustomerDto }) customer!: CustomerDto;
  @ApiProperty({ type: [OrderItemDto] }) items!: OrderItemDto[];
  @ApiProperty({ type: [StatusChangeDto], description: 'Every notified status, oldest first' }) history!: StatusChangeDto[];
  @ApiProperty({ type: AccountRefDto, nullable: true }) account!: AccountRefDto | null;
  @ApiProperty({ type: [EntitlementDto] }) fulfillments!: EntitlementDto[];
  @ApiProperty({ type: [EngagementDto] }) engagements!: EngagementDto[];
  @ApiProperty({ type: [RefundDto], description: 'Refunds, partial ones included' }) refunds!: RefundDto[];
  @ApiProperty({ type: ChargebackDto, nullable: true }) chargeback!: ChargebackDto | null;
}

/** GET /api/accounts/:id */
export class AccountDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ type: String, nullable: true }) firstName!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastName!: string | null;
  @ApiProperty() test!: boolean;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: [String], description: 'REFNOs of the account’s orders' }) orders!: string[];
}

/** GET /api/customers?email= */
export class CustomerTimelineDto {
  @ApiProperty() email!: string;
  @ApiProperty({ type: AccountDto, nullable: true }) account!: AccountDto | null;
  @ApiProperty({ type: [OrderSummaryDto] }) orders!: OrderSummaryDto[];
  @ApiProperty({ type: [EngagementDto] }) timeline!: EngagementDto[];
}
