import { Inject, Injectable } from '@nestjs/common';
import { ConsumerInbox, DomainEvent, OnDomainEvent, OutboxWriter, createEvent } from '../../../core/events';
import { AccountCreatedEvent, AccountDetails } from '../../accounts';
import { FulfillmentChange, FulfillmentGrantedEvent } from '../../fulfillment';
import {
  OrderCanceledEvent,
  OrderPaymentAuthorizedEvent,
  OrderRefundedEvent,
  OrderReversedEvent,
  OrderSnapshot,
} from '../../orders';
import { EngagementKind, EngagementRecordedEvent } from '../contracts/engagement.events';
import { composeMessage, MessageFacts } from '../application/compose-message';
import { ENGAGEMENT_TRANSPORT, EngagementTransport } from '../application/engagement-transport';
import { EngagementEntity } from '../persistence/engagement.entity';

const CONSUMER = 'customer-engagement.message-customer-on-lifecycle';

interface Recipient {
  email: string | null;
  facts: MessageFacts;
}

const fromOrder = (event: DomainEvent<string, OrderSnapshot>): Recipient => ({
  email: event.data.customer.email,
  facts: {
    name: event.data.customer.firstName,
    refNo: event.data.refNo,
    products: event.data.items.map((item) => item.name),
    test: event.test,
  },
});

/** Which lifecycle event calls for which message, and to whom. */
const MESSAGES: Record<string, { kind: EngagementKind; recipient: (event: DomainEvent) => Recipient }> = {
  [OrderPaymentAuthorizedEvent.NAME]: { kind: 'order_confirmation', recipient: (e) => fromOrder(e as DomainEvent<string, OrderSnapshot>) },
  [OrderRefundedEvent.NAME]: { kind: 'refund_notice', recipient: (e) => fromOrder(e as DomainEvent<string, OrderSnapshot>) },
  [OrderCanceledEvent.NAME]: { kind: 'cancel_notice', recipient: (e) => fromOrder(e as DomainEvent<string, OrderSnapshot>) },
  [OrderReversedEvent.NAME]: { kind: 'cancel_notice', recipient: (e) => fromOrder(e as DomainEvent<string, OrderSnapshot>) },
  [AccountCreatedEvent.NAME]: {
    kind: 'welcome',
    recipient: (e) => {
      const account = (e as DomainEvent<string, AccountDetails>).data;
      return { email: account.email, facts: { name: account.firstName, refNo: e.orderRef, products: [], test: e.test } };
    },
  },
  [FulfillmentGrantedEvent.NAME]: {
    kind: 'access_granted',
    recipient: (e) => {
      const change = (e as DomainEvent<string, FulfillmentChange>).data;
      const products = change.entitlements.map((entitlement) => entitlement.productName);
      return { email: change.customerEmail, facts: { name: null, refNo: change.refNo, products, test: e.test } };
    },
  },
};

/**
 * Records the message each lifecycle step calls for on the customer's timeline, and sends it through
 * the configured transport. A transport failure rolls the record back, and the relay retries.
 */
@Injectable()
export class MessageCustomerOnLifecycleListener {
  constructor(
    private readonly inbox: ConsumerInbox,
    private readonly outbox: OutboxWriter,
    @Inject(ENGAGEMENT_TRANSPORT) private readonly transport: EngagementTransport,
  ) {}

  @OnDomainEvent(...Object.keys(MESSAGES))
  async handle(event: DomainEvent): Promise<void> {
    const { kind, recipient } = MESSAGES[event.name];
    const { email, facts } = recipient(event);
    if (!email) return;
    await this.inbox.once(CONSUMER, event, async (manager) => {
      const { subject, text } = composeMessage(kind, facts);
      const engagement = await manager.save(
        manager.create(EngagementEntity, {
          kind,
          email,
          refNo: facts.refNo,
          subject,
          body: text,
          transport: this.transport.name,
          test: event.test,
          causeEventId: event.eventId,
        }),
      );
      await this.outbox.append(manager, [
        createEvent(EngagementRecordedEvent, {
          orderRef: facts.refNo,
          test: event.test,
          causedBy: event,
          data: { engagementId: engagement.id, kind, email, subject, transport: this.transport.name },
        }),
      ]);
      await this.transport.send({ to: email, subject, text });
    }, { external: this.transport.external });
  }
}
