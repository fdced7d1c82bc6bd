import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { Consumer, ConsumerContext, DomainEvent, EventConsumer, createEvent } from '../../../core/events';
import { AccountCreatedEvent } from '../../accounts';
import { FulfillmentGrantedEvent } from '../../fulfillment';
import {
  OrderCanceledEvent,
  OrderPartiallyRefundedEvent,
  OrderPaymentAuthorizedEvent,
  OrderRefundedEvent,
  OrderReinstatedEvent,
  OrderReversedEvent,
} from '../../orders';
import {
  SubscriptionCanceledEvent,
  SubscriptionExpiredEvent,
  SubscriptionPastDueEvent,
  SubscriptionReactivatedEvent,
  SubscriptionRenewedEvent,
  SubscriptionSuspendedEvent,
} from '../../subscriptions';
import { EngagementRecordedEvent } from '../contracts/engagement.events';
import { composeMessage } from '../application/compose-message';
import { ENGAGEMENT_TRANSPORT, EngagementTransport } from '../application/engagement-transport';
import { EngagementRepository } from '../persistence/engagement.repository';
import { MESSAGES } from './lifecycle-messages';

/** Where a TEST order's messages go unless TEST_ORDERS_SEND_MAIL=true: recorded and logged, never mailed. */
const LOG_ONLY = { name: 'log', external: false } as const;

/**
 * Records the message each lifecycle step calls for on the customer's timeline (one statement for a
 * delivery batch) and raises engagement.recorded. Sending is the mail stage's work (MailSender), after
 * the commit.
 */
@Consumer(
  'customer-engagement.message-customer-on-lifecycle',
  OrderPaymentAuthorizedEvent,
  OrderReinstatedEvent,
  OrderRefundedEvent,
  OrderPartiallyRefundedEvent,
  OrderCanceledEvent,
  OrderReversedEvent,
  AccountCreatedEvent,
  FulfillmentGrantedEvent,
  SubscriptionRenewedEvent,
  SubscriptionPastDueEvent,
  SubscriptionExpiredEvent,
  SubscriptionCanceledEvent,
  SubscriptionReactivatedEvent,
  SubscriptionSuspendedEvent,
)
export class MessageCustomerOnLifecycle implements EventConsumer {
  private readonly testTransport: Pick<EngagementTransport, 'name' | 'external'>;

  constructor(
    private readonly timeline: EngagementRepository,
    @Inject(ENGAGEMENT_TRANSPORT) private readonly transport: EngagementTransport,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.testTransport = config.mail.testOrdersSendMail ? transport : LOG_ONLY;
  }

  async handle(events: readonly DomainEvent[], { manager, raise }: ConsumerContext): Promise<void> {
    const messages = events.flatMap((event) => {
      const message = MESSAGES[event.name](event);
      if (!message?.email) return [];
      const transport = event.test ? this.testTransport : this.transport;
      return [{ id: randomUUID(), event, ...message, email: message.email, transport, ...composeMessage(message.kind, message.facts) }];
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
        transport: message.transport.name,
        test: message.event.test,
        causeEventId: message.event.eventId,
        delivery: message.transport.external ? 'pending' : 'logged',
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
            transport: message.transport.name,
          },
        }),
      );
    }
  }
}
