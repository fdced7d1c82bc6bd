import { Consumer, ConsumerContext, EventConsumer, createEvent } from '../../../core/events';
import { OrderPaymentAuthorizedEvent } from '../../orders';
import { AccountCreatedEvent } from '../contracts/account.events';
import { AccountProfile, AccountRepository } from '../persistence/account.repository';

type Profile = AccountProfile;

/**
 * On the first payment authorization (COMPLETE implies one), finds or creates the customer's account
 * by email and links the order. Concurrent orders by one email meet on the unique email.
 */
@Consumer('accounts.link-account-on-order-paid', OrderPaymentAuthorizedEvent)
export class LinkAccountOnOrderPaid implements EventConsumer<OrderPaymentAuthorizedEvent> {
  constructor(private readonly accounts: AccountRepository) {}

  async handle(events: readonly OrderPaymentAuthorizedEvent[], { manager, raise }: ConsumerContext): Promise<void> {
    // Nothing to find an account by without an email. Orders by one email: the first one's profile.
    const orders = events.filter((event) => event.data.customer.email);
    const firstByEmail = new Map<string, { event: OrderPaymentAuthorizedEvent; profile: Profile }>();
    for (const event of orders) {
      const email = event.data.customer.email!;
      if (!firstByEmail.has(email)) firstByEmail.set(email, { event, profile: profileOf(event) });
    }
    if (firstByEmail.size === 0) return;
    const first = [...firstByEmail.values()];
    const accounts = await this.accounts.findOrCreateAndLink(
      manager,
      first.map(({ event, profile }) => ({ profile, test: event.test })),
      orders.map((event) => ({ refNo: event.data.refNo, email: event.data.customer.email! })),
    );
    for (const account of accounts.filter((found) => found.created)) {
      const { event, profile } = firstByEmail.get(account.email)!;
      raise(
        createEvent(AccountCreatedEvent, {
          orderRef: event.orderRef,
          test: event.test,
          causedBy: event,
          data: { accountId: account.id, ...profile },
        }),
      );
    }
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
