import { HttpStatus } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../core/errors';

/** Error codes only the admin API raises, beside the shared ones in core (docs/api.md, Errors). */
export enum AdminErrorCode {
  TooManyRequests = 'ADMIN_TOO_MANY_REQUESTS',
  EventsTooManyRequests = 'EVENTS_TOO_MANY_REQUESTS',
  EventsCursorInvalid = 'EVENTS_CURSOR_INVALID',
  EventsCursorExpired = 'EVENTS_CURSOR_EXPIRED',
}

/** An AppException (so the one filter writes the one error shape) carrying an admin module code. */
export class AdminException extends AppException {
  constructor(status: HttpStatus, code: AdminErrorCode, message: string) {
    super(status, code as unknown as ErrorCode, message);
  }
}
