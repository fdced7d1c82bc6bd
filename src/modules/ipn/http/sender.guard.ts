import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig, DEFAULT_LISTENER } from '../../../config/app.config';
import type { NotificationKind } from '../protocol';
import { IpnErrorCode } from './ipn.exception';
import { NOTIFICATION_KIND } from './notification-kind';
import { NotificationRefusals } from './notification-refusals';

/**
 * Who may talk to a notification endpoint (GET URL checks included), decided before the body is
 * parsed: when IPN_ALLOWED_IPS is set, an address outside it gets 403. Nothing else is decided by
 * address: the refusal throttle is consulted only once a request is refused.
 */
@Injectable()
export class SenderGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly refusals: NotificationRefusals,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const allowed = this.config.ipn.allowedSenders;
    if (!allowed || allowed.includes(request.ip)) return true;
    throw this.refusals.refuse(request, {
      status: HttpStatus.FORBIDDEN,
      code: IpnErrorCode.SenderNotAllowed,
      reason: 'sender_not_allowed',
      message: `${request.ip ?? 'This address'} is not among the senders allowed to post notifications (IPN_ALLOWED_IPS).`,
      kind: this.reflector.get<NotificationKind>(NOTIFICATION_KIND, context.getHandler()),
      listener: (request.params.listener as string | undefined) ?? DEFAULT_LISTENER,
    });
  }
}
