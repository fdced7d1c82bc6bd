import {
  CallHandler,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Observable, catchError, from, mergeMap, throwError } from 'rxjs';
import { AppException } from '../../../core/errors';
import { AdminAuditLog } from '../application/admin-audit-log.service';
import type { AuditOutcome } from '../persistence/admin-audit.entity';
import { presentedToken, tokenFingerprint } from './admin-caller';

export const AUDITED = Symbol('admin-audited');

export interface AuditedAction {
  /** What was asked, e.g. `ipn.message.replay`. */
  readonly action: string;
  /** What it was asked of (an id, a range), read from the request. */
  readonly target: (request: Request) => string;
  /** What the answer says of the outcome, for the log. */
  readonly detail?: (result: unknown) => string | null;
}

/** The call is written to the audit log before it acts, and finished with its outcome (AuditInterceptor). */
export const Audited = (audited: AuditedAction): MethodDecorator =>
  applyDecorators(SetMetadata(AUDITED, audited), UseInterceptors(AuditInterceptor));

/**
 * Runs after the guards (so only callers with the token get here): writes the audit entry, runs the
 * handler, finishes the entry with the outcome; the answer waits for both writes. If the entry cannot
 * be written, the handler does not run.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AdminAuditLog,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const audited = this.reflector.get<AuditedAction | undefined>(AUDITED, context.getHandler());
    if (!audited) return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const id = await this.audit.start({
      tokenFingerprint: tokenFingerprint(presentedToken(request)),
      remoteAddress: request.ip ?? null,
      action: audited.action,
      target: audited.target(request),
    });
    return next.handle().pipe(
      mergeMap(async (result) => {
        await this.audit.finish(id, 'done', audited.detail?.(result) ?? null);
        return result;
      }),
      catchError((error: unknown) =>
        from(this.audit.finish(id, outcomeOf(error), detailOf(error)).catch(() => undefined)).pipe(mergeMap(() => throwError(() => error))),
      ),
    );
  }
}

function statusOf(error: unknown): number {
  if (error instanceof AppException) return error.status;
  if (error instanceof HttpException) return error.getStatus();
  return HttpStatus.INTERNAL_SERVER_ERROR;
}

function outcomeOf(error: unknown): AuditOutcome {
  const status = statusOf(error);
  if (status === HttpStatus.NOT_FOUND) return 'not_found';
  return status < 500 ? 'rejected' : 'failed';
}

/** The error code the caller saw (or the status), never the message: it may carry internals. */
function detailOf(error: unknown): string {
  return error instanceof AppException ? error.code : `HTTP ${statusOf(error)}`;
}
