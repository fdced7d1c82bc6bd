import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppException, ErrorBody } from './app.exception';
import { isDatabaseUnavailable } from './database-unavailable';
import { ErrorCode } from './error-code';

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: ErrorCode.BadRequest,
  [HttpStatus.UNAUTHORIZED]: ErrorCode.Unauthorized,
  [HttpStatus.NOT_FOUND]: ErrorCode.NotFound,
  [HttpStatus.CONFLICT]: ErrorCode.Conflict,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ErrorCode.PayloadTooLarge,
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: ErrorCode.UnsupportedMediaType,
};

const TOO_LARGE = 'The body is larger than the limit (IPN_MAX_BODY for notifications); nothing was stored.';

/**
 * Turns every error into the one JSON shape. Unexpected errors are logged here and reach the client
 * only as a code: their messages may carry internals.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(error);
    // For whoever observes the answer once sent (the notification metrics and log line).
    response.locals.errorCode = body.code;
    if (response.headersSent) return;
    response.status(body.statusCode).type('application/json').json(body);
  }

  private toBody(error: unknown): ErrorBody {
    if (error instanceof AppException) {
      return { statusCode: error.status, code: error.code, message: error.message };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const message = status === HttpStatus.PAYLOAD_TOO_LARGE ? TOO_LARGE : messageOf(error);
      return { statusCode: status, code: CODE_BY_STATUS[status] ?? ErrorCode.Internal, message };
    }
    const clientStatus = clientErrorStatus(error);
    if (clientStatus) {
      // Raised by Express's body parser before any handler runs (a body over the limit, bad encoding).
      const message = clientStatus === HttpStatus.PAYLOAD_TOO_LARGE ? TOO_LARGE : (error as Error).message;
      return { statusCode: clientStatus, code: CODE_BY_STATUS[clientStatus] ?? ErrorCode.BadRequest, message };
    }
    if (isDatabaseUnavailable(error)) {
      this.logger.warn(`Database unavailable: ${(error as Error).message}`);
      return {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        code: ErrorCode.DatabaseUnavailable,
        message: 'The database is unavailable; nothing was stored. Retry later.',
      };
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: ErrorCode.Internal, message: 'Internal error.' };
  }
}

function messageOf(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : String(message ?? error.message);
}

/** The status of an http-errors error meant for the client (`expose`), as the body parser throws. */
function clientErrorStatus(error: unknown): number | undefined {
  const { status, expose } = (error ?? {}) as { status?: unknown; expose?: unknown };
  return expose === true && typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}
