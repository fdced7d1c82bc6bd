import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { DeliveryContext, DeliveryFailure } from '../../../core/delivery';
import type { DomainEvent } from '../../../core/events';
import { retryAfterMs } from '../domain/retry-after';
import { secretKey, signatureHeader } from '../domain/signature';
import { WebhookEndpoint, signingSecrets } from '../domain/webhook-endpoint';
import { WebhookAttemptRepository } from '../persistence/webhook-attempt.repository';
import { WebhookEndpointRepository } from '../persistence/webhook-endpoint.repository';
import { CONNECTION_FAILED, NO_ANSWER, SendOutcome, send } from './webhook-sender';

/** A Retry-After is honoured up to this wait. */
const MAX_RETRY_AFTER_MS = 86_400_000;
/**
 * Attempts in a row without an answer (timeouts, connections failing) after which an endpoint is not
 * tried for a while: its further attempts fail at once, so a silent endpoint does not hold the stage's
 * workers for WEBHOOK_TIMEOUT_MS per event (per process; counted as failed attempts).
 */
const SILENT_LIMIT = 3;
const SILENT_PAUSE_MS = 30_000;

/** The body of a webhook: the event's name and time, and its envelope as GET /api/events gives it. */
export function webhookBody(event: DomainEvent): Buffer {
  return Buffer.from(JSON.stringify({ type: event.name, timestamp: event.occurredAt, data: event }), 'utf8');
}

/**
 * One delivery of an event to an endpoint, as Standard Webhooks has it: a POST of the JSON body, signed
 * afresh at each attempt (`webhook-timestamp` is the attempt's time; `webhook-id` the event's id, the
 * same on every retry and replay), recorded as an attempt. A 2xx is success. A `410 Gone` disables the
 * endpoint; `429`/`503` with Retry-After wait at least that long; anything else is retried on
 * WEBHOOK_RETRY_SCHEDULE, and an endpoint without a success for WEBHOOK_DISABLE_AFTER is disabled.
 */
@Injectable()
export class WebhookDelivery {
  private readonly logger = new Logger('Webhooks');
  private readonly silent = new Map<string, { count: number; pausedUntil: number }>();

  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly attempts: WebhookAttemptRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Resolves on success; throws a DeliveryFailure (or Error) the stage schedules; `onStopped` when it disabled the endpoint. */
  async deliver(endpoint: WebhookEndpoint, event: DomainEvent, context: DeliveryContext, onStopped: () => void): Promise<void> {
    const paused = this.paused(endpoint.id);
    const outcome = paused ?? (await this.post(endpoint, event, context));
    if (!paused) this.countSilence(endpoint.id, outcome);
    const error = errorOf(outcome);
    await this.attempts
      .record(endpoint.id, {
        eventId: event.eventId,
        type: event.name,
        attempt: context.attempt,
        status: outcome.status,
        durationMs: outcome.durationMs,
        error,
      })
      .catch((failure: Error) =>
        this.logger.warn(`Attempt of ${event.eventId} to endpoint ${endpoint.id} not recorded: ${failure.message}`),
      );
    if (error === null) {
      // Delivered: a failing bookkeeping write must not make it sent again.
      await this.endpoints.succeeded(endpoint.id).catch((failure: Error) => this.logger.warn(failure.message));
      return;
    }
    await this.failed(endpoint, outcome, error, onStopped);
  }

  private post(endpoint: WebhookEndpoint, event: DomainEvent, context: DeliveryContext): Promise<SendOutcome> {
    const body = webhookBody(event);
    const now = Date.now();
    const timestamp = Math.floor(now / 1000);
    const keys = signingSecrets(endpoint, now).map(secretKey);
    return send({
      url: endpoint.url,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'ipn-backend-webhooks/1',
        'webhook-id': event.eventId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeader(keys, event.eventId, timestamp, body),
      },
      body,
      timeoutMs: this.config.webhooks.timeoutMs,
      allowPrivate: this.config.webhooks.allowPrivate,
      signal: context.signal,
    });
  }

  /** Throws what the stage schedules: the endpoint stopped (410, or failing too long), a wait asked for, a retry. */
  private async failed(endpoint: WebhookEndpoint, outcome: SendOutcome, error: string, onStopped: () => void): Promise<never> {
    if (outcome.status === 410) {
      if (await this.endpoints.disable(endpoint.id, 'gone'))
        this.logger.warn(`Webhook endpoint ${endpoint.id} answered 410 Gone: disabled`);
      onStopped();
      throw new DeliveryFailure(error, { targetStopped: true });
    }
    if (await this.endpoints.failed(endpoint.id, this.config.webhooks.disableAfterMs)) {
      this.logger.error(`Webhook endpoint ${endpoint.id} has had no success for WEBHOOK_DISABLE_AFTER since its first failure: disabled`);
      onStopped();
      throw new DeliveryFailure(error, { targetStopped: true });
    }
    if (outcome.status === 429 || outcome.status === 503) {
      const header = outcome.headers['retry-after'];
      throw new DeliveryFailure(error, {
        retryAfterMs: retryAfterMs(Array.isArray(header) ? header[0] : header, Date.now(), MAX_RETRY_AFTER_MS),
      });
    }
    throw new Error(error);
  }

  /** An outcome without trying, while the endpoint is paused after attempts in a row without an answer. */
  private paused(endpointId: string): SendOutcome | undefined {
    const silence = this.silent.get(endpointId);
    if (!silence || silence.pausedUntil <= Date.now()) return undefined;
    const error = `not tried: no answer to ${SILENT_LIMIT} attempts in a row, paused until ${new Date(silence.pausedUntil).toISOString()}`;
    return { status: null, headers: {}, excerpt: '', durationMs: 0, error };
  }

  private countSilence(endpointId: string, outcome: SendOutcome): void {
    const silent = outcome.status === null && (outcome.error?.startsWith(NO_ANSWER) || outcome.error?.startsWith(CONNECTION_FAILED));
    if (!silent) {
      this.silent.delete(endpointId);
      return;
    }
    const silence = this.silent.get(endpointId) ?? { count: 0, pausedUntil: 0 };
    silence.count += 1;
    if (silence.count >= SILENT_LIMIT) Object.assign(silence, { count: 0, pausedUntil: Date.now() + SILENT_PAUSE_MS });
    this.silent.set(endpointId, silence);
  }
}

/** Null for a 2xx; otherwise what went wrong, bounded, with no secret (no URL, no headers sent). */
function errorOf(outcome: SendOutcome): string | null {
  if (outcome.status === null) return outcome.error ?? 'no answer';
  if (outcome.status >= 200 && outcome.status < 300) return null;
  const excerpt = outcome.excerpt ? `: ${outcome.excerpt}` : '';
  if (outcome.status >= 300 && outcome.status < 400) return `answered ${outcome.status} (redirects are not followed)`;
  if (outcome.status === 410) return `answered 410 Gone: the endpoint is disabled${excerpt}`;
  return `answered ${outcome.status}${excerpt}`;
}
