import { CanActivate, ExecutionContext, HttpStatus, Injectable, UseGuards, applyDecorators } from '@nestjs/common';
import type { Request } from 'express';
import { AppException, ErrorCode } from '../../../core/errors';
import { ConsoleSessionsService } from '../application/console-sessions.service';
import { assertSameOrigin } from './same-origin';
import { sessionIdOf } from './session-cookie';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The console's JSON API: a live session, and changes only from the console's own scripts. */
@Injectable()
export class ConsoleSessionGuard implements CanActivate {
  constructor(private readonly sessions: ConsoleSessionsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    if (!(await this.sessions.isActive(sessionIdOf(request)))) {
      throw new AppException(HttpStatus.UNAUTHORIZED, ErrorCode.Unauthorized, 'Sign in at /console/login.');
    }
    if (!SAFE_METHODS.has(request.method)) assertSameOrigin(request, { fromScript: true });
    return true;
  }
}

export const ConsoleSignedIn = (): ClassDecorator & MethodDecorator => applyDecorators(UseGuards(ConsoleSessionGuard));
