import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { AppException } from '../../../core/errors';
import { AdminAuditLog, tokenFingerprint } from '../../admin';

/**
 * The console's changes (replays, retries) go to the admin API's audit log under the same actions as
 * theirs through /api, so that nothing is replayed or retried unrecorded whichever way it was asked.
 * Written before the change acts (if it cannot be, the change does not happen), finished with its outcome.
 */
@Injectable()
export class ConsoleAudit {
  /** Every session was opened with ADMIN_TOKEN: the caller's token is that one. */
  private readonly fingerprint: string;

  constructor(
    private readonly log: AdminAuditLog,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.fingerprint = tokenFingerprint(config.adminToken?.reveal() ?? '');
  }

  async run<T>(request: Request, action: string, target: string, change: () => Promise<T>, outcome?: (result: T) => string): Promise<T> {
    const id = await this.log.start({ tokenFingerprint: this.fingerprint, remoteAddress: request.ip ?? null, action, target });
    try {
      const result = await change();
      await this.log.finish(id, 'done', outcome ? `console: ${outcome(result)}` : 'console');
      return result;
    } catch (error) {
      const status = error instanceof AppException ? error.status : HttpStatus.INTERNAL_SERVER_ERROR;
      const ending = status === HttpStatus.NOT_FOUND ? 'not_found' : status < 500 ? 'rejected' : 'failed';
      await this.log.finish(id, ending, error instanceof AppException ? `console: ${error.code}` : 'console').catch(() => undefined);
      throw error;
    }
  }
}
