import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { RequestThrottle, throttledAddress } from '../../admin';
import { TooManySignInsException } from './console.exception';

/**
 * CONSOLE_SIGN_INS_PER_MINUTE sign-in attempts per address (IPv6: per /64), right or wrong, in a
 * sliding minute; beyond, 429 with Retry-After for a minute (the admin API's throttle, its own budget).
 * Counted by address only, before the token is looked at: were a right token let through, a 429 would
 * tell a guesser that the token tried was wrong, and the guessing would go on at full speed.
 */
@Injectable()
export class SignInThrottleGuard implements CanActivate {
  private readonly throttle: RequestThrottle;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.throttle = new RequestThrottle({
      name: 'console-sign-in',
      perMinute: config.consoleSignInsPerMinute,
      tracker: throttledAddress,
      refusal: (limit, retryAfter) => new TooManySignInsException(limit, retryAfter),
    });
  }

  canActivate(context: ExecutionContext): Promise<boolean> {
    return this.throttle.check(context);
  }
}
