import { HttpStatus } from '@nestjs/common';
import type { Request } from 'express';
import { AppException, ErrorCode } from '../../../core/errors';

/** Sent by the console's own scripts on every change: a page of another site cannot set it without CORS. */
export const CONSOLE_REQUEST_HEADER = 'x-console-request';

/**
 * Refuses a state-changing request another site's page could have made: a browser names the page's
 * origin on every cross-origin POST, so one that names another host is refused. `fromScript`: the
 * request must also carry CONSOLE_REQUEST_HEADER (the console's fetch calls; forms cannot add headers).
 * The cookie's SameSite=Strict already keeps the session out of such requests; this holds even if not.
 */
export function assertSameOrigin(request: Request, { fromScript }: { fromScript: boolean }): void {
  const origin = request.headers.origin;
  if (origin !== undefined && hostOf(origin) !== request.host) {
    throw new AppException(HttpStatus.FORBIDDEN, ErrorCode.Forbidden, 'Cross-site request refused: use the console itself.');
  }
  if (fromScript && request.headers[CONSOLE_REQUEST_HEADER] !== '1') {
    throw new AppException(HttpStatus.FORBIDDEN, ErrorCode.Forbidden, `Send ${CONSOLE_REQUEST_HEADER}: 1 with console changes.`);
  }
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined; // "null" and other opaque origins
  }
}
