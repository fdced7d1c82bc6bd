import { Inject, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { DeliveryContext, ProvidesDeliveryTargets, SendingTarget, exponentialRetry } from '../../../core/delivery';
import { DomainEvent, EventFilter } from '../../../core/events';
import { maskEmail } from '../../../core/observability';
import { EngagementDetails, EngagementRecordedEvent } from '../contracts/engagement.events';
import { EngagementRepository } from '../persistence/engagement.repository';
import { ENGAGEMENT_TRANSPORT, EngagementTransport } from './engagement-transport';

/** Attempts at a message before it is marked failed. */
const MAX_ATTEMPTS = 10;
/** Messages in flight at once (one per order): a slow server holds only these. */
const PARALLEL_SENDS = 4;

/**
 * Customer mail as a target of the delivery stage (`mail`): every recorded message for an outside
 * transport (SMTP) is sent after its commit, outside any transaction, an order's messages in the order
 * they were recorded, retried with backoff (OUTBOX_BACKOFF_MS doubling, 10 attempts) and marked sent or
 * failed on the customer's timeline. A stalled mail server delays mail only. Only where SMTP is set.
 */
@ProvidesDeliveryTargets()
export class MailTarget {
  private readonly logger = new Logger('Mail');
  private readonly list: SendingTarget[];

  constructor(
    private readonly messages: EngagementRepository,
    @Inject(ENGAGEMENT_TRANSPORT) private readonly transport: EngagementTransport,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const target: SendingTarget = {
      kind: 'send',
      name: 'mail',
      channel: 'mail',
      filter: new EventFilter([EngagementRecordedEvent.NAME]),
      accepts: (event) => (event.data as EngagementDetails).transport === this.transport.name,
      startAt: 'now',
      // Connecting, the greeting and the socket each time out after SMTP_TIMEOUT_MS.
      timeoutMs: config.mail.timeoutMs * 3,
      retry: exponentialRetry(config.events.backoffMs, MAX_ATTEMPTS),
      parallelKeys: PARALLEL_SENDS,
      send: (event, context) => this.send(event, context),
      onFailed: (event, error, attempt) => this.messages.markAttempt((event.data as EngagementDetails).engagementId, error, attempt),
      onDead: (event, error) => this.messages.markFailed((event.data as EngagementDetails).engagementId, error),
    };
    this.list = transport.external ? [target] : [];
  }

  targets(): readonly SendingTarget[] {
    return this.list;
  }

  private async send(event: DomainEvent, { attempt }: DeliveryContext): Promise<void> {
    const { engagementId } = event.data as EngagementDetails;
    const message = await this.messages.find(engagementId);
    if (!message) return; // deleted since (nothing to send)
    await this.transport.send({ id: message.id, to: message.email, subject: message.subject, text: message.body });
    await this.messages.markSent(message.id, attempt);
    this.logger.debug({
      msg: `Message ${message.id} sent to ${maskEmail(message.email)} (attempt ${attempt})`,
      messageId: message.id,
      recipient: maskEmail(message.email),
      transport: this.transport.name,
    });
  }
}
