import { Inject, Injectable } from '@nestjs/common';
import { ConsumerInbox, OnDomainEvent } from '../../../core/events';
import { ENGAGEMENT_TRANSPORT, EngagementTransport } from '../application/engagement-transport';
import { EngagementRecordedEvent } from '../contracts/engagement.events';
import { EngagementEntity } from '../persistence/engagement.entity';

const CONSUMER = 'customer-engagement.send-recorded-messages';

/**
 * Sends each recorded message through a transport that reaches outside (SMTP), once its record has
 * committed: one message per transaction, so a batch that rolls back can never have sent it. A failed
 * send is retried by the relay; the record stays on the timeline.
 */
@Injectable()
export class SendRecordedMessages {
  constructor(
    private readonly inbox: ConsumerInbox,
    @Inject(ENGAGEMENT_TRANSPORT) private readonly transport: EngagementTransport,
  ) {}

  @OnDomainEvent(EngagementRecordedEvent.NAME)
  async handle(event: EngagementRecordedEvent): Promise<void> {
    if (!this.transport.external) return; // Written when recorded.
    await this.inbox.once(CONSUMER, event, async (manager) => {
      const message = await manager.findOneByOrFail(EngagementEntity, { id: event.data.engagementId });
      await this.transport.send({ to: message.email, subject: message.subject, text: message.body });
    });
  }
}
