import { HttpException, HttpStatus } from '@nestjs/common';
import { AppException } from '../../../core/errors';
import type { AuditOutcome } from '../persistence/admin-audit.entity';

function statusOf(error: unknown): number {
  if (error instanceof AppException) return error.status;
  if (error instanceof HttpException) return error.getStatus();
  return HttpStatus.INTERNAL_SERVER_ERROR;
}

/** How a call that threw ended, for the audit log. */
export function outcomeOf(error: unknown): Exclude<AuditOutcome, 'requested' | 'done'> {
  const status = statusOf(error);
  if (status === HttpStatus.NOT_FOUND) return 'not_found';
  return status < 500 ? 'rejected' : 'failed';
}

/** The error code the caller saw (or the status), never the message: it may carry internals. */
export function detailOf(error: unknown): string {
  return error instanceof AppException ? error.code : `HTTP ${statusOf(error)}`;
}
