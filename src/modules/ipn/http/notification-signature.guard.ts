import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppException, ErrorCode } from '../../../core/errors';
import { RecordRejectionService } from '../application/record-rejection.service';
import type { VerifiedNotification } from '../application/verified-notification';
import type { RejectionReason } from '../persistence/ipn-rejection.entity';
import { FormBody, NotificationKind, SIGNATURE_FIELD, verifySignature } from '../protocol';
import { ListenerRegistry } from './listener-registry';
import { NOTIFICATION_KIND } from './signed-notification.decorator';

export type NotificationRequest = Request & { rawBody?: Buffer; notification?: VerifiedNotification };

/**
 * Lets a notification through only when its strongest accepted signature matches the listener's key,
 * computed over the raw body in the order received. Refusals are recorded, never with the secret.
 */
@Injectable()
export class NotificationSignatureGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly listeners: ListenerRegistry,
    private readonly rejections: RecordRejectionService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const kind = this.reflector.get<NotificationKind>(NOTIFICATION_KIND, context.getHandler());
    const request = context.switchToHttp().getRequest<NotificationRequest>();
    const listener = this.listeners.resolve(request.params.listener as string | undefined);
    if (!request.is('application/x-www-form-urlencoded')) {
      throw new AppException(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        ErrorCode.UnsupportedMediaType,
        'Send the notification as application/x-www-form-urlencoded, as 2Checkout does.',
      );
    }
    const rawBody = request.rawBody ?? Buffer.alloc(0);
    const form = FormBody.parse(rawBody);
    const keys = listener.secretKeys.map((secret) => secret.reveal());
    const verification = verifySignature(form, listener.algorithms, keys);
    const refuse = async (status: HttpStatus, code: ErrorCode, reason: RejectionReason, detail: string) => {
      await this.rejections.record({
        kind,
        listener: listener.name,
        reason,
        detail,
        remoteAddress: request.ip,
        refNo: form.first(kind === 'ipn' ? 'REFNO' : 'LICENSE_CODE')?.replaceAll('\0', ''),
        bodyBytes: rawBody.length,
      });
      return new AppException(status, code, detail);
    };
    if (!verification.ok) {
      const accepted = listener.algorithms.map((algorithm) => SIGNATURE_FIELD[algorithm]).join(' or ');
      const missing = verification.reason === 'signature_missing';
      throw await refuse(
        HttpStatus.UNAUTHORIZED,
        missing ? ErrorCode.SignatureMissing : ErrorCode.SignatureInvalid,
        verification.reason,
        missing
          ? `No ${accepted} signature: the listener "${listener.name}" accepts ${listener.algorithms.join(', ')}.`
          : `${SIGNATURE_FIELD[verification.algorithm!]} does not match the body; check the listener's secret key.`,
      );
    }
    const unstorable = fieldWithNul(form);
    if (unstorable) {
      throw await refuse(
        HttpStatus.BAD_REQUEST,
        ErrorCode.NotificationMalformed,
        'malformed',
        `${unstorable} contains a NUL byte, which cannot be stored: no receipt.`,
      );
    }
    request.notification = {
      kind,
      listener: listener.name,
      rawBody,
      form,
      algorithm: verification.algorithm,
      key: verification.key,
      remoteAddress: request.ip,
    };
    return true;
  }
}

/** PostgreSQL text cannot hold a NUL byte: a notification with one could never be stored. */
function fieldWithNul(form: FormBody): string | undefined {
  return form.fields.find((field) => field.values.some((value) => value.includes(0)))?.name;
}
