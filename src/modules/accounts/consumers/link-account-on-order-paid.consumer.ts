import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BatchConsumer, BatchConsumers, DomainEvent, createEvent } from '../../../core/events';
import { OrderPaymentAuthorizedEvent } from '../../orders';
import { AccountCreatedEvent, AccountDetails } from '../contracts/account.events';

/**
 * One statement: the accounts by email, created when new (the no-op update returns and locks an
 * existing one, in email order so that concurrent batches lock in the same order), and the orders
 * linked to them.
 */
const FIND_OR_CREATE_AND_LINK = `
  WITH account AS (
    INSERT INTO account AS a (email, first_name, last_name, company, country, language,
      avangate_customer_reference, external_customer_reference, test)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[])
    ORDER BY 1
    ON CONFLICT (email) DO UPDATE SET email = a.email
    RETURNING id, email, (xmax = 0) AS created),
  link AS (
    INSERT INTO account_order (ref_no, account_id)
    SELECT o.ref_no, account.id FROM unnest($10::text[], $11::text[]) AS o(ref_no, email) JOIN account USING (email)
    ON CONFLICT (ref_no) DO NOTHING)
  SELECT id, email, created FROM account`;

type Profile = Omit<AccountDetails, 'accountId'>;

/**
 * On the first payment authorization (COMPLETE implies one), finds or creates the customer's account
 * by email and links the order. Concurrent orders by one email meet on the unique email.
 */
@Injectable()
export class LinkAccountOnOrderPaid implements BatchConsumer, OnModuleInit {
  readonly consumer = 'accounts.link-account-on-order-paid';
  readonly events = [OrderPaymentAuthorizedEvent.NAME];

  constructor(private readonly consumers: BatchConsumers) {}

  onModuleInit(): void {
    this.consumers.register(this);
  }

  async handle(events: readonly DomainEvent[], manager: EntityManager): Promise<DomainEvent[]> {
    // Nothing to find an account by without an email. Orders by one email: the first one's profile.
    const orders = (events as OrderPaymentAuthorizedEvent[]).filter((event) => event.data.customer.email);
    const firstByEmail = new Map<string, { event: OrderPaymentAuthorizedEvent; profile: Profile }>();
    for (const event of orders) {
      const email = event.data.customer.email!;
      if (!firstByEmail.has(email)) firstByEmail.set(email, { event, profile: profileOf(event) });
    }
    if (firstByEmail.size === 0) return [];
    const first = [...firstByEmail.values()];
    const column = <T>(pick: (entry: (typeof first)[number]) => T) => first.map(pick);
    const accounts: Array<{ id: string; email: string; created: boolean }> = await manager.query(FIND_OR_CREATE_AND_LINK, [
      column((entry) => entry.profile.email),
      column((entry) => entry.profile.firstName),
      column((entry) => entry.profile.lastName),
      column((entry) => entry.profile.company),
      column((entry) => entry.profile.country),
      column((entry) => entry.profile.language),
      column((entry) => entry.profile.avangateCustomerReference),
      column((entry) => entry.profile.externalCustomerReference),
      column((entry) => entry.event.test),
      orders.map((event) => event.data.refNo),
      orders.map((event) => event.data.customer.email!),
    ]);
    return accounts
      .filter((account) => account.created)
      .map((account) => {
        const { event, profile } = firstByEmail.get(account.email)!;
        return createEvent(AccountCreatedEvent, {
          orderRef: event.orderRef,
          test: event.test,
          causedBy: event,
          data: { accountId: account.id, ...profile },
        });
      });
  }
}

function profileOf(event: OrderPaymentAuthorizedEvent): Profile {
  const { customer } = event.data;
  return {
    email: customer.email!,
    firstName: customer.firstName,
    lastName: customer.lastName,
    company: customer.company,
    country: customer.country,
    language: customer.language,
    avangateCustomerReference: customer.avangateCustomerReference,
    externalCustomerReference: customer.externalCustomerReference,
  };
}
