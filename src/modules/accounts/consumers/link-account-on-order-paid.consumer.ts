import { Consumer, ConsumerContext, EventConsumer, createEvent } from '../../../core/events';
import { OrderFraudClearedEvent, OrderFraudFlaggedEvent, OrderPaymentAuthorizedEvent, OrderSnapshot, fraudVerdict } from '../../orders';
import { AccountCreatedEvent } from '../contracts/account.events';
import { AccountProfile, AccountRepository } from '../persistence/account.repository';

type OrderEvent = OrderPaymentAuthorizedEvent | OrderFraudFlaggedEvent | OrderFraudClearedEvent;

/**
 * Keeps each order linked to its customer's account while it may have one: paid (COMPLETE implies an
 * authorization) and not DENIED (fraudVerdict). The account is found or created by email; concurrent
 * orders by one email meet on the unique email. A DENIED order is unlinked, and linked (its account
 * created then) when its fraud status clears. Level-triggered on the order as the event shows it, so the
 * link depends on the order's notifications, not on their arrival order. An account, once created, stays:
 * its welcome was sent.
 */
@Consumer(
  { name: 'accounts.link-account-on-order-paid', after: ['orders.apply-ipn', 'orders.recompute'] },
  OrderPaymentAuthorizedEvent,
  OrderFraudFlaggedEvent,
  OrderFraudClearedEvent,
)
export class LinkAccountOnOrderPaid implements EventConsumer<OrderEvent> {
  constructor(private readonly accounts: AccountRepository) {}

  async handle(events: readonly OrderEvent[], { manager, raise }: ConsumerContext): Promise<void> {
    // Each order as the last of its events shows it (an order's events in one batch share its snapshot).
    const byOrder = new Map<string, OrderEvent>();
    for (const event of events) byOrder.set(event.data.refNo, event);
    const orders = [...byOrder.values()];
    const unlinked = orders.filter((event) => !mayHaveAccount(event.data));
    if (unlinked.length > 0)
      await this.accounts.unlink(
        manager,
        unlinked.map((event) => event.data.refNo),
      );
    // Nothing to find an account by without an email. Orders by one email: the first one's profile.
    const linked = orders.filter((event) => mayHaveAccount(event.data) && event.data.customer.email);
    const firstByEmail = new Map<string, { event: OrderEvent; profile: AccountProfile }>();
    for (const event of linked) {
      const email = event.data.customer.email!;
      if (!firstByEmail.has(email)) firstByEmail.set(email, { event, profile: profileOf(event.data) });
    }
    if (firstByEmail.size === 0) return;
    const first = [...firstByEmail.values()];
    const accounts = await this.accounts.findOrCreateAndLink(
      manager,
      first.map(({ event, profile }) => ({ profile, test: event.test })),
      linked.map((event) => ({ refNo: event.data.refNo, email: event.data.customer.email! })),
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

/** Paid and not DENIED. UNDER REVIEW and PENDING orders have their account (fulfilment holds their access). */
function mayHaveAccount(order: OrderSnapshot): boolean {
  return order.milestones.paymentAuthorized && fraudVerdict(order.fraudStatus) !== 'denied';
}

function profileOf({ customer }: OrderSnapshot): AccountProfile {
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
