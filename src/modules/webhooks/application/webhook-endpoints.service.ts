import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { DeliveriesService } from '../../../core/delivery';
import { AppException, ErrorCode } from '../../../core/errors';
import { EventFilter } from '../../../core/events';
import { checkDestination } from '../domain/destination';
import { newSecret } from '../domain/signature';
import { DisabledReason, EndpointStatus, WebhookEndpoint, targetName } from '../domain/webhook-endpoint';
import { WebhookAttempt, WebhookAttemptRepository } from '../persistence/webhook-attempt.repository';
import { EndpointChange, WebhookEndpointRepository } from '../persistence/webhook-endpoint.repository';
import { unknownPatterns } from './known-events';
import { WebhookErrorCode, WebhookException } from './webhook-errors';
import { SKIPPED, WebhookTargets } from './webhook-targets';

/** Events one replay queues, at most (the oldest first): replay again from the last one's time for more. */
export const MAX_REPLAY = 10_000;

/** An endpoint as the API shows it: never its secrets. */
export interface WebhookEndpointView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  status: EndpointStatus;
  disabledReason: DisabledReason | null;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookDraft {
  url: string;
  events: string[];
  description?: string | null;
}

/**
 * Registering, changing and removing webhook endpoints, rotating their secrets, replaying their events.
 * Every change is read by every instance within a second (WebhookTargets); here it is at once.
 */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly attemptsRepository: WebhookAttemptRepository,
    private readonly deliveries: DeliveriesService,
    private readonly targets: WebhookTargets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The secret is in this answer only (and in a rotation's). */
  async create(draft: WebhookDraft): Promise<WebhookEndpointView & { secret: string }> {
    const url = this.checkedUrl(draft.url);
    const events = checkedEvents(draft.events);
    const endpoint = await this.endpoints.create({ url, events, description: draft.description ?? null, secret: newSecret() });
    // Its target starts now: events logged from here on are delivered, not from when a poll first sees it.
    await this.deliveries.register({ name: targetName(endpoint.id), channel: 'webhook', startAt: 'now' });
    await this.targets.refresh(true);
    return { ...viewOf(endpoint), secret: endpoint.secret };
  }

  async list(): Promise<WebhookEndpointView[]> {
    return (await this.endpoints.list()).map(viewOf);
  }

  async get(id: string): Promise<WebhookEndpointView> {
    return viewOf(await this.existing(id));
  }

  /**
   * Disabling skips what the endpoint has not delivered; enabling goes on from now (what was logged
   * meanwhile is skipped too: replay sends it).
   */
  async update(id: string, change: EndpointChange): Promise<WebhookEndpointView> {
    const checked: EndpointChange = {
      ...change,
      ...(change.url !== undefined && { url: this.checkedUrl(change.url) }),
      ...(change.events !== undefined && { events: checkedEvents(change.events) }),
    };
    const before = await this.existing(id);
    const after = found(await this.endpoints.update(id, checked), id);
    if (before.status !== after.status) {
      if (after.status === 'enabled') await this.deliveries.skipAhead(targetName(id), SKIPPED);
      else await this.deliveries.giveUp(targetName(id), SKIPPED);
    }
    await this.targets.refresh(true);
    return viewOf(after);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.endpoints.delete(id))) found(null, id);
    await this.deliveries.forget(targetName(id));
    await this.targets.refresh(true);
  }

  /** A new secret; the previous one keeps signing beside it for WEBHOOK_SECRET_OVERLAP. */
  async rotateSecret(id: string): Promise<{ secret: string; previousValidUntil: Date | null }> {
    const endpoint = found(await this.endpoints.rotate(id, newSecret(), this.config.webhooks.secretOverlapMs), id);
    await this.targets.refresh(true);
    return { secret: endpoint.secret, previousValidUntil: endpoint.previousSecretUntil };
  }

  async attempts(id: string, limit: number): Promise<WebhookAttempt[]> {
    await this.existing(id);
    return this.attemptsRepository.list(id, limit);
  }

  /** The endpoint's matching events logged since `since` sent again, after its keys' newer items. */
  async replay(id: string, since: Date): Promise<{ replayed: number; since: Date; limited: boolean }> {
    if (since.getTime() > Date.now())
      throw new AppException(HttpStatus.BAD_REQUEST, ErrorCode.BadRequest, 'since must not be in the future.');
    const endpoint = await this.existing(id);
    if (endpoint.status !== 'enabled') {
      throw new WebhookException(
        HttpStatus.CONFLICT,
        WebhookErrorCode.Disabled,
        'The endpoint is disabled: enable it (PATCH status) before replaying.',
      );
    }
    const replayed = await this.deliveries.replay(
      { name: targetName(id), channel: 'webhook' },
      new EventFilter(endpoint.events),
      since,
      MAX_REPLAY,
    );
    return { replayed, since, limited: replayed === MAX_REPLAY };
  }

  private async existing(id: string): Promise<WebhookEndpoint> {
    return found(await this.endpoints.find(id), id);
  }

  private checkedUrl(url: string): string {
    const check = checkDestination(url, this.config.webhooks.allowPrivate);
    if (!check.ok) throw new WebhookException(HttpStatus.BAD_REQUEST, WebhookErrorCode.UrlRefused, `url ${check.reason}.`);
    return check.url.toString();
  }
}

function checkedEvents(events: readonly string[]): string[] {
  const unknown = unknownPatterns(events);
  if (unknown.length > 0) {
    throw new WebhookException(
      HttpStatus.BAD_REQUEST,
      WebhookErrorCode.UnknownEvents,
      `events: no event is named ${unknown.map((pattern) => `"${pattern}"`).join(', ')} (see the event catalogue).`,
    );
  }
  return [...new Set(events)];
}

function found<T>(value: T | null, id: string): T {
  if (value === null) throw new AppException(HttpStatus.NOT_FOUND, ErrorCode.NotFound, `No webhook endpoint ${id}.`);
  return value;
}

function viewOf(endpoint: WebhookEndpoint): WebhookEndpointView {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: [...endpoint.events],
    description: endpoint.description,
    status: endpoint.status,
    disabledReason: endpoint.disabledReason,
    disabledAt: endpoint.disabledAt,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}
