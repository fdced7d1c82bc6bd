import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsQuery } from './application/accounts.query';
import { LinkAccountOnOrderPaidListener } from './listeners/link-account-on-order-paid.listener';
import { AccountEntity } from './persistence/account.entity';
import { AccountOrderEntity } from './persistence/account-order.entity';

/** End-user accounts, created from paid orders; emits account.created. */
@Module({
  imports: [TypeOrmModule.forFeature([AccountEntity, AccountOrderEntity])],
  providers: [LinkAccountOnOrderPaidListener, AccountsQuery],
  exports: [AccountsQuery],
})
export class AccountsModule {}
