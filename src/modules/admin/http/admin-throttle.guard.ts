import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerStorageService, normalizeIp } from '@nestjs/throttler';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { AdminErrorCode, AdminException } from './admin.exception';
import { presentedToken, tokenFingerprint } from './admin-caller';

const MINUTE_MS = 60_000;

/**
 * ADMIN_REQUESTS_PER_MINUTE calls per token and address (IPv6: per /64) in a sliding minute; beyond,
 * 429 ADMIN_TOO_MANY_REQUESTS with Retry-After, for a minute. Runs before the token check: calls with
 * a wrong or no token share one budget per address, so guessing tokens is throttled too.
 */
@Injectable()
export class AdminThrottleGuard implements CanActivate {
  private readonly throttler: AdminThrottler;
  private readonly ready: Promise<void>;

  constructor(@Inject(APP_CONFIG) config: AppConfig, reflector: Reflector) {
    const expected = config.adminToken?.reveal();
    this.throttler = new AdminThrottler(config.adminRequestsPerMinute, expected ? tokenFingerprint(expected) : undefined, reflector);
    this.ready = this.throttler.onModuleInit();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.ready;
    return this.throttler.canActivate(context);
  }
}

/**
 * @nestjs/throttler's guard with its own storage and options, built here rather than through
 * ThrottlerModule (whose options would be global; the IPN refusal throttle has its own storage).
 * Every admin route shares one budget per caller; the name `default` gives plain Retry-After and
 * X-RateLimit-* headers.
 */
class AdminThrottler extends ThrottlerGuard {
  constructor(
    limit: number,
    private readonly expectedFingerprint: string | undefined,
    reflector: Reflector,
  ) {
    super([{ name: 'default', ttl: MINUTE_MS, limit }], new ThrottlerStorageService(), reflector);
  }

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const fingerprint = tokenFingerprint(presentedToken(request as unknown as Request));
    const who = fingerprint === this.expectedFingerprint ? fingerprint : 'no-valid-token';
    return `${who}/${normalizeIp(String((request as unknown as Request).ip ?? 'unknown'))}`;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string): string {
    return `admin/${tracker}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new AdminException(
      HttpStatus.TOO_MANY_REQUESTS,
      AdminErrorCode.TooManyRequests,
      `More than ${detail.limit} admin API calls within a minute from this token and address: retry in ${detail.timeToBlockExpire} s.`,
    );
  }
}
