import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { Consumer, ConsumerContext, DomainEvent, EventConsumer, createEvent } from '../../../core/events';
import { AccountCreatedEvent } from '../../accounts';
import { FulfillmentGrantedEvent } from '../../fulfillment';
import {
  OrderCanceledEvent,
  OrderFraudClearedEvent,
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
import { LifecycleMessage, MESSAGES } from './lifecycle-messages';

/** Where a TEST order's messages go unless TEST_ORDERS_SEND_MAIL=true: recorded and logged, never mailed. */
const LOG_ONLY = { name: 'log', external: false } as const;

/**
 * Records the message each lifecycle step calls for on the customer's timeline (one statement for a
 * delivery batch) and raises engagement.recorded. Sending is the delivery stage's work (MailTarget), after
 * the commit.
 */
@Consumer(
  { name: 'customer-engagement.message-customer-on-lifecycle', after: ['fulfillment.reconcile-entitlements'] },
  OrderPaymentAuthorizedEvent,
  OrderReinstatedEvent,
  OrderRefundedEvent,
  OrderPartiallyRefundedEvent,
  OrderCanceledEvent,
  OrderReversedEvent,
  OrderFraudClearedEvent,
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
    const composed = events.flatMap((event) => {
      const message = MESSAGES[event.name](event);
      return message?.email ? [{ event, message, email: message.email }] : [];
    });
    const messages = (await this.withoutRepeats(manager, composed)).map(({ event, message, email }) => {
      const transport = event.test ? this.testTransport : this.transport;
      return { id: randomUUID(), event, ...message, email, transport, ...composeMessage(message.kind, message.facts) };
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

  /**
   * Without the `once` messages whose order already has one of that kind: recorded before (the order
   * stage holds the order's row, so an earlier delivery for it has committed) or earlier in this batch.
   */
  private async withoutRepeats<T extends { message: LifecycleMessage }>(manager: EntityManager, composed: T[]): Promise<T[]> {
    const keyOf = ({ message }: T) => `${message.kind}|${message.facts.refNo}`;
    const once = composed.filter(({ message }) => message.once && message.facts.refNo !== null);
    if (once.length === 0) return composed;
    const recorded = await this.timeline.recordedKinds(
      manager,
      once.map(({ message }) => ({ kind: message.kind, refNo: message.facts.refNo! })),
    );
    const seen = new Set(recorded.map(({ kind, refNo }) => `${kind}|${refNo}`));
    for (const item of composed) if (!item.message.once) seen.add(keyOf(item));
    return composed.filter((item) => {
      if (!item.message.once) return true;
      const repeat = seen.has(keyOf(item));
      seen.add(keyOf(item));
      return !repeat;
    });
  }
}
