import { ExecutionContext, SetMetadata, UseGuards, applyDecorators, createParamDecorator } from '@nestjs/common';
import type { VerifiedNotification } from '../application/verified-notification';
import type { NotificationKind } from '../protocol';
import { NOTIFICATION_KIND } from './notification-kind';
import { NotificationSignatureGuard, type NotificationRequest } from './notification-signature.guard';
import { SenderGuard } from './sender.guard';

/** The route is a notification endpoint of `kind`: only allowed, unblocked senders reach it. */
export function NotificationEndpoint(kind: NotificationKind): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(NOTIFICATION_KIND, kind), UseGuards(SenderGuard));
}

/** The route receives 2Checkout notifications of `kind`: only authentic ones reach the handler. */
export function SignedNotification(kind: NotificationKind): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(NOTIFICATION_KIND, kind), UseGuards(SenderGuard, NotificationSignatureGuard));
}

/** The notification the guard verified. */
export const Verified = createParamDecorator(
  (_data: unknown, context: ExecutionContext): VerifiedNotification =>
    context.switchToHttp().getRequest<NotificationRequest>().notification!,
);
