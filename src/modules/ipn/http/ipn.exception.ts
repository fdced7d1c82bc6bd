import { HttpStatus } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../core/errors';

/** Error codes only the IPN module raises, beside the shared ones in core (docs/api.md, Errors). */
export enum IpnErrorCode {
  TooManyFields = 'IPN_TOO_MANY_FIELDS',
  FieldNameTooLong = 'IPN_FIELD_NAME_TOO_LONG',
  MixedFieldForms = 'IPN_MIXED_FIELD_FORMS',
  LegacyIns = 'IPN_LEGACY_INS',
  SenderNotAllowed = 'IPN_SENDER_NOT_ALLOWED',
  TooManyRefusals = 'IPN_TOO_MANY_REFUSALS',
}

/** An AppException (so the one filter writes the one error shape) carrying an IPN module code. */
export class IpnException extends AppException {
  constructor(status: HttpStatus, code: IpnErrorCode | ErrorCode, message: string) {
    // AppException types its code with core's enum; the filter writes whichever stable string it holds.
    super(status, code as ErrorCode, message);
  }
}
