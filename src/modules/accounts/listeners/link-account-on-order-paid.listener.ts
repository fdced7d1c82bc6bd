import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConsumerInbox, OnDomainEvent, OutboxWriter, createEvent } from '../../../core/events';
import { OrderPaymentAuthorizedEvent } from '../../orders';
import { AccountCreatedEvent } from '../contracts/account.events';

const CONSUMER = 'accounts.link-account-on-order-paid';

/**
 * One statement: the account by email, created when new (the no-op update returns and locks an
 * existing one), and the order linked to it.
 */
const FIND_OR_CREATE_AND_LINK = `
  WITH account AS (
    INSERT INTO account AS a (email, first_name, last_name, company, country, language,
      avangate_customer_reference, external_customer_reference, test)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT (email) DO UPDATE SET email = a.email
    RETURNING id, (xmax = 0) AS created),
  link AS (
    INSERT INTO account_order (ref_no, account_id) SELECT $10, id FROM account ON CONFLICT (ref_no) DO NOTHING)
  SELECT id, created FROM account`;

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
    if (!event.data.customer.email) return; // Nothing to find an account by.
    await this.inbox.once(CONSUMER, event, (manager) => this.link(manager, event));
  }

  private async link(manager: EntityManager, event: OrderPaymentAuthorizedEvent): Promise<void> {
    const { customer, refNo } = event.data;
    const profile = {
      email: customer.email!,
      firstName: customer.firstName,
      lastName: customer.lastName,
      company: customer.company,
      country: customer.country,
      language: customer.language,
      avangateCustomerReference: customer.avangateCustomerReference,
      externalCustomerReference: customer.externalCustomerReference,
    };
    const [account]: Array<{ id: string; created: boolean }> = await manager.query(FIND_OR_CREATE_AND_LINK, [
      profile.email,
      profile.firstName,
      profile.lastName,
      profile.company,
      profile.country,
      profile.language,
      profile.avangateCustomerReference,
      profile.externalCustomerReference,
      event.test,
      refNo,
    ]);
    if (!account.created) return;
    await this.outbox.append(manager, [
      createEvent(AccountCreatedEvent, {
        orderRef: event.orderRef,
        test: event.test,
        causedBy: event,
        data: { accountId: account.id, ...profile },
      }),
    ]);
  }
}
