import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { maskEmail } from '../../../core/observability';
import { EngagementRecordedEvent } from '../contracts/engagement.events';
import { ClaimedMessage, EngagementRepository } from '../persistence/engagement.repository';
import { ENGAGEMENT_TRANSPORT, EngagementTransport, LogTransport } from './engagement-transport';

const BATCH = 16;
/** Messages in flight at once: a slow server holds only these. */
const PARALLEL_SENDS = 4;
const MAX_ATTEMPTS = 10;
const MAX_BACKOFF_MS = 60 * 60 * 1000;

/**
 * The mail stage: sends recorded messages through an outside transport (SMTP), outside any database
 * transaction and apart from event delivery, so a slow or dead mail server delays mail only. Each
 * message is leased while it is sent; only the lease holder settles it (sent, or retried with
 * backoff, failed after the last attempt). Woken after each commit that records messages, and polled.
 */
@Injectable()
export class MailSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MailSender');
  private readonly token = randomUUID();
  private readonly log = new LogTransport();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly messages: EngagementRepository,
    @Inject(ENGAGEMENT_TRANSPORT) private readonly transport: EngagementTransport,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.transport.external || !this.config.events.relay) return;
    this.timer = setInterval(() => this.wake(), this.config.events.pollMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** After the commit that recorded a message: the log transport writes it now; an outside one is woken. */
  @OnEvent(EngagementRecordedEvent.NAME)
  async onRecorded(event: EngagementRecordedEvent): Promise<void> {
    const { engagementId: id, kind, email: to, subject, transport } = event.data;
    // A message recorded for an outside transport is this stage's to send; one recorded for the log
    // (the log transport, or a TEST order's message while SMTP is set) is written to the log now.
    if (transport === this.transport.name && this.transport.external) this.wake();
    else await this.log.send({ id, kind, to, subject, text: '' });
  }

  wake(): void {
    if (this.stopped || !this.config.events.relay) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) this.wake();
    });
  }

  private async drain(): Promise<void> {
    try {
      do {
        this.again = false;
        const claimed = await this.messages.claim(this.token, BATCH, this.leaseMs());
        await inParallel(claimed, PARALLEL_SENDS, (message) => this.send(message));
        if (claimed.length === BATCH) this.again = true;
      } while (this.again && !this.stopped);
    } catch (error) {
      this.logger.warn(`Mail round stopped, will retry: ${(error as Error).message}`);
    }
  }

  private async send(message: ClaimedMessage): Promise<void> {
    try {
      await this.transport.send({ id: message.id, to: message.email, subject: message.subject, text: message.body });
      await this.messages.markSent(message.id, this.token);
      this.logger.log({
        msg: `Message ${message.id} sent to ${maskEmail(message.email)} (attempt ${message.attempts})`,
        messageId: message.id,
        recipient: maskEmail(message.email),
        transport: this.transport.name,
      });
    } catch (error) {
      const final = message.attempts >= MAX_ATTEMPTS;
      const delayMs = Math.min(this.config.events.backoffMs * 2 ** (message.attempts - 1), MAX_BACKOFF_MS);
      this.logger.warn(
        `Message ${message.id} to ${maskEmail(message.email)} not sent (attempt ${message.attempts}/${MAX_ATTEMPTS}): ${(error as Error).message}`,
      );
      await this.messages.markFailed(message.id, this.token, { final, error: (error as Error).message, delayMs });
    }
  }

  /** Longer than a send can take: connection, greeting and socket each time out after timeoutMs. */
  private leaseMs(): number {
    return this.config.mail.timeoutMs * 6;
  }
}

async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
