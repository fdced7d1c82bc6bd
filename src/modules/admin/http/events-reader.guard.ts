import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { AppException, ErrorCode } from '../../../core/errors';
import { AdminErrorCode, AdminException } from './admin.exception';
import { presentedToken, tokenFingerprint } from './admin-caller';
import { AdminThrottleGuard } from './admin-throttle.guard';
import { RequestThrottle, throttledAddress } from './request-throttle';

/**
 * The event feed's readers: the admin token (counted against the admin budget), or the read-only
 * EVENTS_TOKEN with a budget of its own (EVENTS_REQUESTS_PER_MINUTE per address) and no audit row per
 * page. Anything else is counted like a wrong admin token and refused.
 */
@Injectable()
export class EventsReaderGuard implements CanActivate {
  private readonly throttle: RequestThrottle;
  private readonly eventsToken: Buffer | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly admin: AdminThrottleGuard,
  ) {
    this.eventsToken = config.feed.token?.reveal();
    const fingerprint = this.eventsToken && tokenFingerprint(this.eventsToken);
    this.throttle = new RequestThrottle({
      name: 'events',
      perMinute: config.feed.requestsPerMinute,
      tracker: (request: Request) => `${fingerprint}/${throttledAddress(request)}`,
      refusal: (limit, retryAfter) =>
        new AdminException(
          HttpStatus.TOO_MANY_REQUESTS,
          AdminErrorCode.EventsTooManyRequests,
          `More than ${limit} event feed reads within a minute with EVENTS_TOKEN from this address: retry in ${retryAfter} s.`,
        ),
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const presented = Buffer.from(presentedToken(context.switchToHttp().getRequest<Request>()), 'utf8');
    if (matches(presented, this.eventsToken)) return this.throttle.check(context);
    await this.admin.canActivate(context);
    if (matches(presented, this.config.adminToken?.reveal())) return true;
    throw new AppException(
      HttpStatus.UNAUTHORIZED,
      ErrorCode.Unauthorized,
      'Send Authorization: Bearer <EVENTS_TOKEN> (or the admin token).',
    );
  }
}

function matches(presented: Buffer, expected: Buffer | undefined): boolean {
  return expected !== undefined && presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** The route is the event feed: EVENTS_TOKEN or the admin token, each with its budget; documented so. */
export const EventsReader = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    UseGuards(EventsReaderGuard),
    ApiBearerAuth('admin'),
    ApiBearerAuth('events'),
    ApiTooManyRequestsResponse({
      description: 'Past EVENTS_REQUESTS_PER_MINUTE (EVENTS_TOKEN) or ADMIN_REQUESTS_PER_MINUTE (admin token)',
    }),
    ApiUnauthorizedResponse({ description: 'No or wrong Authorization: Bearer <EVENTS_TOKEN or ADMIN_TOKEN>' }),
  );
