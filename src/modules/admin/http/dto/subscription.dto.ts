import { ApiProperty } from '@nestjs/swagger';
import { AccountRefDto } from './order.dto';

export class SubscriptionOrderDto {
  @ApiProperty({ example: '900124' }) refNo!: string;
  @ApiProperty({ enum: ['new', 'renewal', 'upgrade'] }) kind!: string;
  @ApiProperty({ description: 'When the order was paid and linked' }) at!: Date;
}

/** GET /api/subscriptions/:licenseRef */
export class SubscriptionDto {
  @ApiProperty({ example: 'L-7F3A9C21' }) licenseRef!: string;
  @ApiProperty({ type: String, nullable: true }) productId!: string | null;
  @ApiProperty({ type: String, nullable: true }) productName!: string | null;
  @ApiProperty({ enum: ['active', 'past_due', 'canceled', 'expired', 'disabled', 'pending_activation'] }) status!: string;
  @ApiProperty({ type: String, nullable: true, example: '2027-11-24 10:25:40', description: 'As the platform sent it' }) expiresAt!:
    string | null;
  @ApiProperty() cancelAtPeriodEnd!: boolean;
  @ApiProperty({ type: Number, nullable: true }) gracePeriodDays!: number | null;
  @ApiProperty({ type: String, nullable: true }) nextRenewalDate!: string | null;
  @ApiProperty({ type: String, nullable: true }) nextRenewalPrice!: string | null;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'STATUS of the newest LCN, as sent' }) licenseStatus!: string | null;
  @ApiProperty() disabled!: boolean;
  @ApiProperty() test!: boolean;
  @ApiProperty({ type: [SubscriptionOrderDto], description: 'Paid orders carrying the license, oldest first' })
  orders!: SubscriptionOrderDto[];
  @ApiProperty({ type: AccountRefDto, nullable: true }) account!: AccountRefDto | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}
