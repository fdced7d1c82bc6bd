import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Consumer, ConsumerContext, DomainEvent, EventConsumer, createEvent } from '../../../core/events';
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
import { EngagementRepository } from '../persistence/engagement.repository';

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
 * Records the message each lifecycle step calls for on the customer's timeline (one statement for a
 * delivery batch) and raises engagement.recorded. Sending is the mail stage's work (MailSender), after
 * the commit.
 */
@Consumer(
  'customer-engagement.message-customer-on-lifecycle',
  OrderPaymentAuthorizedEvent,
  OrderRefundedEvent,
  OrderCanceledEvent,
  OrderReversedEvent,
  AccountCreatedEvent,
  FulfillmentGrantedEvent,
)
export class MessageCustomerOnLifecycle implements EventConsumer {
  constructor(
    private readonly timeline: EngagementRepository,
    @Inject(ENGAGEMENT_TRANSPORT) private readonly transport: EngagementTransport,
  ) {}

  async handle(events: readonly DomainEvent[], { manager, raise }: ConsumerContext): Promise<void> {
    const messages = events.flatMap((event) => {
      const { kind, recipient } = MESSAGES[event.name];
      const { email, facts } = recipient(event);
      return email ? [{ id: randomUUID(), event, kind, email, facts, ...composeMessage(kind, facts) }] : [];
    });
    if (messages.length === 0) return;
    await this.timeline.insert(
      manager,
      messages.map((message) => ({
        id: message.id,
        kind: message.kind,
        email: message.email,
        refNo: message.facts.refNo,
        subject: message.subject,
        body: message.text,
        transport: this.transport.name,
        test: message.event.test,
        causeEventId: message.event.eventId,
        delivery: this.transport.external ? 'pending' : 'logged',
      })),
    );
    for (const message of messages) {
      raise(
        createEvent(EngagementRecordedEvent, {
          orderRef: message.facts.refNo,
          test: message.event.test,
          causedBy: message.event,
          data: {
            engagementId: message.id,
            kind: message.kind,
            email: message.email,
            subject: message.subject,
            transport: this.transport.name,
          },
        }),
      );
    }
  }
}
