import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { AdminErrorCode, AdminException } from './admin.exception';
import { presentedToken, tokenFingerprint } from './admin-caller';
import { RequestThrottle, throttledAddress } from './request-throttle';

/**
 * ADMIN_REQUESTS_PER_MINUTE calls per token and address (IPv6: per /64) in a sliding minute; beyond,
 * 429 ADMIN_TOO_MANY_REQUESTS with Retry-After, for a minute. Runs before the token check: calls with
 * a wrong or no token share one budget per address, so guessing tokens is throttled too. Every admin
 * route shares one budget per caller, whichever module declares it (Nest makes a guard per module: the
 * budget is kept per configuration, so they share it).
 */
@Injectable()
export class AdminThrottleGuard implements CanActivate {
  private static readonly budgets = new WeakMap<AppConfig, RequestThrottle>();
  private readonly throttle: RequestThrottle;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const shared = AdminThrottleGuard.budgets.get(config);
    this.throttle = shared ?? AdminThrottleGuard.budgetOf(config);
    AdminThrottleGuard.budgets.set(config, this.throttle);
  }

  canActivate(context: ExecutionContext): Promise<boolean> {
    return this.throttle.check(context);
  }

  private static budgetOf(config: AppConfig): RequestThrottle {
    const expected = config.adminToken?.reveal();
    const expectedFingerprint = expected ? tokenFingerprint(expected) : undefined;
    return new RequestThrottle({
      name: 'admin',
      perMinute: config.adminRequestsPerMinute,
      tracker: (request: Request) => {
        const fingerprint = tokenFingerprint(presentedToken(request));
        return `${fingerprint === expectedFingerprint ? fingerprint : 'no-valid-token'}/${throttledAddress(request)}`;
      },
      refusal: (limit, retryAfter) =>
        new AdminException(
          HttpStatus.TOO_MANY_REQUESTS,
          AdminErrorCode.TooManyRequests,
          `More than ${limit} admin API calls within a minute from this token and address: retry in ${retryAfter} s.`,
        ),
    });
  }
}
