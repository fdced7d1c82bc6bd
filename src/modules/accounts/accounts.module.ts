import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsQuery } from './application/accounts.query';
import { LinkAccountOnOrderPaid } from './consumers/link-account-on-order-paid.consumer';
import { AccountEntity } from './persistence/account.entity';
import { AccountOrderEntity } from './persistence/account-order.entity';
import { AccountRepository } from './persistence/account.repository';

/** End-user accounts, created from paid orders (not while DENIED for fraud); emits account.created. */
@Module({
  imports: [TypeOrmModule.forFeature([AccountEntity, AccountOrderEntity])],
  providers: [AccountRepository, LinkAccountOnOrderPaid, AccountsQuery],
  exports: [AccountsQuery],
})
export class AccountsModule {}
