import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from './error-code';

/** An error meant for the client: a status, a stable code, and a message that says what to fix. */
export class AppException extends Error {
  constructor(
    readonly status: HttpStatus,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppException';
  }
}

/** The one JSON shape of every error response. */
export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
}
