import { HttpStatus } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../core/errors';

/** Error codes only the webhooks API raises, beside the shared ones in core. */
export enum WebhookErrorCode {
  InvalidBody = 'WEBHOOK_INVALID_BODY',
  UrlRefused = 'WEBHOOK_URL_REFUSED',
  UnknownEvents = 'WEBHOOK_UNKNOWN_EVENTS',
  Disabled = 'WEBHOOK_DISABLED',
}

/** An AppException (so the one filter writes the one error shape) carrying a webhooks code. */
export class WebhookException extends AppException {
  constructor(status: HttpStatus, code: WebhookErrorCode, message: string) {
    super(status, code as unknown as ErrorCode, message);
  }
}
