import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig, ListenerConfig } from '../../../config/app.config';
import { AppException, ErrorCode } from '../../../core/errors';
import type { VerifiedNotification } from '../application/verified-notification';
import {
  FormBody,
  FormLimitError,
  FormLimitReason,
  NotificationKind,
  SIGNATURE_FIELD,
  Verification,
  printable,
  verifySignature,
} from '../protocol';
import { IpnErrorCode } from './ipn.exception';
import { ListenerRegistry } from './listener-registry';
import { NOTIFICATION_KIND } from './notification-kind';
import { NotificationRefusals, Refusal, RefusalNote } from './notification-refusals';

export type NotificationRequest = Request & {
  rawBody?: Buffer;
  notification?: VerifiedNotification;
  /** Set by the controller once handled (receipted, duplicate, incomplete): what the observer reports. */
  outcome?: string;
  /** Set when the request was refused with a reason (recorded, or only counted). */
  refusal?: RefusalNote;
};

type Refused = Omit<Refusal, 'kind' | 'listener'>;

const LIMIT_REFUSALS: Record<FormLimitReason, Pick<Refused, 'status' | 'code'>> = {
  too_many_fields: { status: HttpStatus.PAYLOAD_TOO_LARGE, code: IpnErrorCode.TooManyFields },
  field_name_too_long: { status: HttpStatus.BAD_REQUEST, code: IpnErrorCode.FieldNameTooLong },
  mixed_field_forms: { status: HttpStatus.BAD_REQUEST, code: IpnErrorCode.MixedFieldForms },
};

/**
 * Lets a notification through only when its strongest accepted signature matches the listener's key,
 * computed over the raw body in the order received: every body, whoever sent it (its size bounded by
 * IPN_MAX_BODY, its fields by IPN_MAX_FIELDS, checked before it is parsed). A post of 2Checkout's legacy
 * INS protocol is told so. Refusals are recorded (bounded), never with the secret.
 */
@Injectable()
export class NotificationSignatureGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly listeners: ListenerRegistry,
    private readonly refusals: NotificationRefusals,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
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
    const refuse = (refused: Refused) => this.refusals.refuse(request, { ...refused, kind, listener: listener.name });
    const rawBody = request.rawBody ?? Buffer.alloc(0);
    const form = this.parse(rawBody);
    if (form instanceof FormLimitError) {
      throw refuse({ ...LIMIT_REFUSALS[form.reason], reason: form.reason, message: `Refused: ${form.message}.` });
    }
    const ins = legacyIns(form);
    if (ins) throw refuse(ins);
    const keys = listener.secretKeys.map((secret) => secret.reveal());
    const verification = verifySignature(form, listener.algorithms, keys);
    if (!verification.ok) throw refuse(signatureRefusal(verification, listener, refNoOf(form, kind)));
    const nul = fieldWithNul(form);
    if (nul !== undefined) {
      throw refuse({
        status: HttpStatus.BAD_REQUEST,
        code: ErrorCode.NotificationMalformed,
        reason: 'malformed',
        message: `${printable(nul, 64)} contains a NUL byte, which cannot be stored: no receipt.`,
        refNo: refNoOf(form, kind),
      });
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

  private parse(rawBody: Buffer): FormBody | FormLimitError {
    try {
      return FormBody.parse(rawBody, this.config.ipn.formLimits);
    } catch (error) {
      if (error instanceof FormLimitError) return error;
      throw error;
    }
  }
}

/**
 * 2Checkout's old INS protocol posts lower-case fields signed with `md5_hash`: tell its sender what
 * this endpoint speaks instead of "signature missing".
 */
function legacyIns(form: FormBody): Refused | undefined {
  if (!form.has('message_type') || !form.has('md5_hash')) return undefined;
  return {
    status: HttpStatus.BAD_REQUEST,
    code: IpnErrorCode.LegacyIns,
    reason: 'legacy_ins',
    message:
      'This is a legacy 2Checkout INS post (message_type, md5_hash). This service speaks IPN and LCN, which are ' +
      'HMAC-signed and answered with a read receipt: in the Merchant Control Panel, Integrations → Webhooks & API, ' +
      'add this URL under IPN settings (and the /lcn URL under LCN settings), and remove it from the INS settings.',
    refNo: textOf(form, 'sale_id'),
  };
}

function signatureRefusal(
  verification: Extract<Verification, { ok: false }>,
  listener: ListenerConfig,
  refNo: string | undefined,
): Refused {
  if (verification.reason === 'signature_missing') {
    const accepted = listener.algorithms.map((algorithm) => SIGNATURE_FIELD[algorithm]).join(' or ');
    return {
      status: HttpStatus.UNAUTHORIZED,
      code: ErrorCode.SignatureMissing,
      reason: verification.reason,
      message: `No ${accepted} signature: the listener "${listener.name}" accepts ${listener.algorithms.join(', ')}.`,
      refNo,
    };
  }
  return {
    status: HttpStatus.UNAUTHORIZED,
    code: ErrorCode.SignatureInvalid,
    reason: verification.reason,
    message: `${SIGNATURE_FIELD[verification.algorithm!]} does not match the body; check the listener's secret key.`,
    refNo,
  };
}

/** PostgreSQL text cannot hold a NUL byte: a notification with one, in a name or a value, could never be stored. */
function fieldWithNul(form: FormBody): string | undefined {
  return form.fields.find((field) => field.name.includes('\0') || field.values.some((value) => value.includes(0)))?.name;
}

function refNoOf(form: FormBody, kind: NotificationKind): string | undefined {
  return textOf(form, kind === 'ipn' ? 'REFNO' : 'LICENSE_CODE');
}

/** The start of a field's value: enough for the record, however long the value is. */
function textOf(form: FormBody, name: string): string | undefined {
  return form.firstBytes(name)?.subarray(0, 256).toString('utf8');
}
