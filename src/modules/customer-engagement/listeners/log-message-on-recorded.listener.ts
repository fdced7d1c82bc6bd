import { Inject, Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ENGAGEMENT_TRANSPORT, EngagementTransport, LogTransport } from '../application/engagement-transport';
import { EngagementRecordedEvent } from '../contracts/engagement.events';

/**
 * A message recorded for the log (the log transport, or a TEST order's message while SMTP is set) is
 * written to the log once its record has committed: fire and forget, like any @OnEvent listener.
 */
@Injectable()
export class LogMessageOnRecorded {
  private readonly log = new LogTransport();

  constructor(@Inject(ENGAGEMENT_TRANSPORT) private readonly transport: EngagementTransport) {}

  @OnEvent(EngagementRecordedEvent.NAME)
  async onRecorded(event: EngagementRecordedEvent): Promise<void> {
    const { engagementId: id, kind, email: to, subject, transport } = event.data;
    if (transport === this.transport.name && this.transport.external) return; // the mail target sends it
    await this.log.send({ id, kind, to, subject, text: '' });
  }
}
