import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ConsumerInbox } from '../../../core/events';
import { ENGAGEMENT_TRANSPORT, EngagementTransport } from '../application/engagement-transport';
import { EngagementRecordedEvent } from '../contracts/engagement.events';
import { EngagementEntity } from '../persistence/engagement.entity';

const CONSUMER = 'customer-engagement.send-recorded-messages';

/**
 * Sends each recorded message through a transport that reaches outside (SMTP), once its record has
 * committed: one message per transaction, so a batch that rolls back can never have sent it. A failed
 * send is retried by the relay; the record stays on the timeline. It listens only when the transport
 * is such a one: otherwise the messages were written when recorded, and engagement.recorded events are
 * settled with their batch (the relay leases only events someone listens to).
 */
@Injectable()
export class SendRecordedMessages implements OnModuleInit {
  constructor(
    private readonly inbox: ConsumerInbox,
    private readonly emitter: EventEmitter2,
    @Inject(ENGAGEMENT_TRANSPORT) private readonly transport: EngagementTransport,
  ) {}

  onModuleInit(): void {
    if (this.transport.external) this.emitter.on(EngagementRecordedEvent.NAME, (event: EngagementRecordedEvent) => this.send(event));
  }

  async send(event: EngagementRecordedEvent): Promise<void> {
    await this.inbox.once(CONSUMER, event, async (manager) => {
      const message = await manager.findOneByOrFail(EngagementEntity, { id: event.data.engagementId });
      await this.transport.send({ to: message.email, subject: message.subject, text: message.body });
    });
  }
}
