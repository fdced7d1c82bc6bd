import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { APP_CONFIG, AppConfig, DEFAULT_LISTENER } from '../../../config/app.config';
import type { NotificationKind } from '../protocol';
import { IpnErrorCode, IpnException } from './ipn.exception';
import { NOTIFICATION_KIND } from './notification-kind';
import { NotificationRefusals } from './notification-refusals';
import { RefusalThrottle } from './refusal-throttle';

/**
 * Who may talk to a notification endpoint (GET URL checks included), decided before the body is read:
 * an address blocked for its refusals gets 429 at once; one outside IPN_ALLOWED_IPS, when set, 403.
 */
@Injectable()
export class SenderGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly throttle: RefusalThrottle,
    private readonly refusals: NotificationRefusals,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const blockedFor = this.throttle.blockedFor(request.ip);
    if (blockedFor > 0) {
      context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(blockedFor));
      throw new IpnException(
        HttpStatus.TOO_MANY_REQUESTS,
        IpnErrorCode.TooManyRefusals,
        `Too many refused requests from this address; try again in ${blockedFor} s.`,
      );
    }
    const allowed = this.config.ipn.allowedSenders;
    if (!allowed || allowed.includes(request.ip)) return true;
    throw await this.refusals.refuse(request, {
      status: HttpStatus.FORBIDDEN,
      code: IpnErrorCode.SenderNotAllowed,
      reason: 'sender_not_allowed',
      message: `${request.ip ?? 'This address'} is not among the senders allowed to post notifications (IPN_ALLOWED_IPS).`,
      kind: this.reflector.get<NotificationKind>(NOTIFICATION_KIND, context.getHandler()),
      listener: (request.params.listener as string | undefined) ?? DEFAULT_LISTENER,
    });
  }
}
