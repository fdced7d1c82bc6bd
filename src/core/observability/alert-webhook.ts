import { createHmac } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Secret } from '../../config/secret';

export interface AlertNotice {
  readonly alert: string;
  readonly status: 'firing' | 'resolved';
  readonly value: number;
  readonly threshold: number;
  readonly unit: string;
  readonly message: string;
  /** When the episode began (the first evaluation past the threshold). */
  readonly startedAt: string;
  readonly at: string;
}

const TIMEOUT_MS = 5000;
const ATTEMPTS = 3;

/** HMAC-SHA256 of the exact body bytes, hex, as sent in `X-Signature: sha256=<hex>`. */
export function signAlert(body: string, secret: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * POSTs notices as JSON, signed, one after another in the order raised, each attempt with a timeout and
 * a few attempts in all; never inside a database transaction, never holding up the evaluation.
 */
export class AlertWebhook {
  private readonly logger = new Logger('Alerts');
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: Secret,
    private readonly secret: Secret,
  ) {}

  send(notice: AlertNotice): void {
    this.queue = this.queue.then(() => this.deliver(notice));
  }

  /** Resolves once every notice queued so far was delivered or given up. */
  drained(): Promise<void> {
    return this.queue;
  }

  private async deliver(notice: AlertNotice): Promise<void> {
    const body = JSON.stringify({ ...notice, service: 'ipn-backend' });
    const headers = { 'content-type': 'application/json', 'x-signature': signAlert(body, this.secret.reveal()) };
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        const response = await fetch(this.url.reveal().toString('utf8'), {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        throw new Error(`HTTP ${response.status}`);
      } catch (error) {
        const last = attempt === ATTEMPTS;
        this.logger.warn(
          `Alert webhook (${notice.alert} ${notice.status}) failed, attempt ${attempt}/${ATTEMPTS}${last ? ', given up' : ''}: ${(error as Error).message}`,
        );
        if (!last) await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
      }
    }
  }
}
