import { Logger } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { maskEmail } from '../../../core/observability';

export interface OutgoingMessage {
  /** The recorded message (engagement id), so a log line says which message went where. */
  id?: string;
  kind?: string;
  to: string;
  subject: string;
  text: string;
}

/** How customer messages leave the system. Bind your own to ENGAGEMENT_TRANSPORT to replace it. */
export interface EngagementTransport {
  readonly name: string;
  /** Sending reaches outside the process (so a rolled-back transaction cannot take it back). */
  readonly external: boolean;
  send(message: OutgoingMessage): Promise<void>;
}

export const ENGAGEMENT_TRANSPORT = Symbol('ENGAGEMENT_TRANSPORT');

/** The default: the message is persisted on the timeline and logged, not sent. */
export class LogTransport implements EngagementTransport {
  readonly name = 'log';
  readonly external = false;
  private readonly logger = new Logger('Engagement');

  async send(message: OutgoingMessage): Promise<void> {
    this.logger.log({
      msg: `Message ${message.id ?? ''} (${message.kind ?? 'message'}) to ${maskEmail(message.to)}: ${message.subject}`,
      messageId: message.id,
      kind: message.kind,
      recipient: maskEmail(message.to),
      transport: this.name,
    });
  }
}

/** Mail through SMTP (nodemailer) when SMTP_URL is set. */
export class SmtpTransport implements EngagementTransport {
  readonly name = 'smtp';
  readonly external = true;
  private readonly transporter: Transporter;

  /** `timeoutMs`: for connecting, for the server's greeting, and for silence on the socket. */
  constructor(
    smtpUrl: string,
    private readonly from: string,
    timeoutMs: number,
  ) {
    // nodemailer drops every other option when given `url`: the URL's parts are passed one by one.
    const url = new URL(smtpUrl);
    this.transporter = createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      secure: url.protocol === 'smtps:',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  /**
   * The message's Message-ID is its id on the timeline: a message sent again (the worker died before
   * it could record the send) carries the same one, so mail systems and readers can tell it is a copy.
   */
  async send(message: OutgoingMessage): Promise<void> {
    const { id, kind: _kind, ...mail } = message;
    const domain = /@([^>\s]+)>?$/.exec(this.from)?.[1] ?? 'ipn-backend.invalid';
    await this.transporter.sendMail({ from: this.from, ...mail, ...(id ? { messageId: `<${id}@${domain}>` } : {}) });
  }
}
