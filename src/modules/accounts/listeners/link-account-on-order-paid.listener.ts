import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConsumerInbox, OnDomainEvent, OutboxWriter, createEvent } from '../../../core/events';
import { OrderPaymentAuthorizedEvent } from '../../orders';
import { AccountCreatedEvent } from '../contracts/account.events';
import { AccountEntity } from '../persistence/account.entity';
import { AccountOrderEntity } from '../persistence/account-order.entity';

const CONSUMER = 'accounts.link-account-on-order-paid';

/**
 * On the first payment authorization (COMPLETE implies one), finds or creates the customer's account
 * by email and links the order. Concurrent orders by one email meet on the unique email.
 */
@Injectable()
export class LinkAccountOnOrderPaidListener {
  constructor(
    private readonly inbox: ConsumerInbox,
    private readonly outbox: OutboxWriter,
  ) {}

  @OnDomainEvent(OrderPaymentAuthorizedEvent.NAME)
  async handle(event: OrderPaymentAuthorizedEvent): Promise<void> {
    const { customer, refNo } = event.data;
    if (!customer.email) return; // Nothing to find an account by.
    await this.inbox.once(CONSUMER, event, async (manager) => {
      const accountId = await this.findOrCreate(manager, event);
      await manager
        .createQueryBuilder()
        .insert()
        .into(AccountOrderEntity)
        .values({ refNo, accountId })
        .orIgnore()
        .execute();
    });
  }

  private async findOrCreate(manager: EntityManager, event: OrderPaymentAuthorizedEvent): Promise<string> {
    const { customer } = event.data;
    const email = customer.email!;
    const profile = {
      email,
      firstName: customer.firstName,
      lastName: customer.lastName,
      company: customer.company,
      country: customer.country,
      language: customer.language,
      avangateCustomerReference: customer.avangateCustomerReference,
      externalCustomerReference: customer.externalCustomerReference,
    };
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(AccountEntity)
      .values({ ...profile, test: event.test })
      .orIgnore()
      .returning(['id'])
      .execute();
    if (inserted.raw.length === 0) {
      return (await manager.findOneByOrFail(AccountEntity, { email })).id;
    }
    const accountId: string = inserted.raw[0].id;
    const created = createEvent(AccountCreatedEvent, {
      orderRef: event.orderRef,
      test: event.test,
      causedBy: event,
      data: { accountId, ...profile },
    });
    await this.outbox.append(manager, [created]);
    return accountId;
  }
}
