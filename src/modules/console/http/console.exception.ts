import { HttpStatus } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../core/errors';

/** Error codes only the console raises, beside the shared ones in core (docs/api.md, Errors). */
export enum ConsoleErrorCode {
  TooManySignIns = 'CONSOLE_TOO_MANY_SIGN_INS',
}

/** Past CONSOLE_SIGN_INS_PER_MINUTE from one address; the sign-in page shows `message`. */
export class TooManySignInsException extends AppException {
  constructor(limit: number, retryAfterSeconds: number) {
    super(
      HttpStatus.TOO_MANY_REQUESTS,
      ConsoleErrorCode.TooManySignIns as unknown as ErrorCode,
      `More than ${limit} sign-in attempts within a minute from this address: try again in ${retryAfterSeconds} s.`,
    );
  }
}
