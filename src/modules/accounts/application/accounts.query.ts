import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { AccountDetails } from '../contracts/account.events';
import { AccountEntity } from '../persistence/account.entity';
import { AccountOrderEntity } from '../persistence/account-order.entity';

export interface AccountView extends Omit<AccountDetails, 'accountId'> {
  id: string;
  test: boolean;
  createdAt: Date;
  orders: string[];
}

/** Read side of accounts, for the admin API. */
@Injectable()
export class AccountsQuery {
  constructor(
    @InjectRepository(AccountEntity) private readonly accounts: Repository<AccountEntity>,
    @InjectRepository(AccountOrderEntity) private readonly links: Repository<AccountOrderEntity>,
  ) {}

  async find(id: string): Promise<AccountView | null> {
    return this.view(await this.accounts.findOneBy({ id }));
  }

  async findByEmail(email: string): Promise<AccountView | null> {
    return this.view(await this.accounts.findOneBy({ email: email.trim().toLowerCase() }));
  }

  async findByOrder(refNo: string): Promise<AccountView | null> {
    const link = await this.links.findOneBy({ refNo });
    return link ? this.find(link.accountId) : null;
  }

  private async view(account: AccountEntity | null): Promise<AccountView | null> {
    if (!account) return null;
    const links = await this.links.find({ where: { accountId: account.id }, order: { linkedAt: 'ASC' } });
    return { ...account, orders: links.map((link) => link.refNo) };
  }
}
