import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Observable, catchError, from, lastValueFrom, mergeMap, throwError } from 'rxjs';
import { AdminAuditLogService } from '../application/admin-audit-log.service';
import { detailOf, outcomeOf } from '../application/audit-outcome';
import { presentedToken, tokenFingerprint } from './admin-caller';

export const AUDITED = Symbol('admin-audited');

export interface AuditedAction {
  /** What was asked, e.g. `ipn.message.replay`. */
  readonly action: string;
  /** What it was asked of (an id, a range), read from the request. */
  readonly target: (request: Request) => string;
  /** What the answer says of the outcome, for the log. */
  readonly detail?: (result: unknown) => string | null;
  /** A read of customer data: one row, written with its outcome before the answer leaves. */
  readonly read?: boolean;
}

/** The call is written to the audit log before it acts, and finished with its outcome (AuditInterceptor). */
export const Audited = (audited: AuditedAction): MethodDecorator =>
  applyDecorators(SetMetadata(AUDITED, audited), UseInterceptors(AuditInterceptor));

/**
 * A read of customer data, written to the audit log as one row with its outcome; the answer waits for
 * that one insert, and is an error if it fails. `target`: personal data in it masked (emailTarget).
 */
export const AuditedRead = (action: string, target: (request: Request) => string): MethodDecorator =>
  Audited({ action, target, read: true });

/** A query parameter as given once (a repeated one is no value). */
export function queryText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Runs after the guards (so only callers with the token get here). A change: writes the audit entry,
 * runs the handler, finishes the entry with the outcome; the answer waits for both writes, and if the
 * entry cannot be written, the handler does not run. A read: AdminAuditLog.read.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AdminAuditLogService,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const audited = this.reflector.get<AuditedAction | undefined>(AUDITED, context.getHandler());
    if (!audited) return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const who = {
      tokenFingerprint: tokenFingerprint(presentedToken(request)),
      remoteAddress: request.ip ?? null,
      action: audited.action,
      target: audited.target(request),
    };
    if (audited.read) return from(this.audit.read(who, () => lastValueFrom(next.handle())));
    const id = await this.audit.start(who);
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
