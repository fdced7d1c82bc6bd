import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { loginPage } from './console-pages';
import { TooManySignInsException } from './console.exception';
import { sendHtml } from './send-html';

/** The sign-in form again, saying when to come back (Retry-After is already set), rather than JSON. */
@Catch(TooManySignInsException)
export class SignInThrottledFilter implements ExceptionFilter {
  catch(exception: TooManySignInsException, host: ArgumentsHost): void {
    sendHtml(host.switchToHttp().getResponse<Response>(), exception.status, loginPage(exception.message));
  }
}
