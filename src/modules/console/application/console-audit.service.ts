import { HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppException } from '../../../core/errors';
import { AdminAuditLogService } from '../../admin';
import { ConsoleSessionsService } from './console-sessions.service';

export const SIGN_IN_ACTION = 'console.sign_in';

/**
 * The console's changes (replays, retries) and reads of customer data go to the admin API's audit log
 * under the same actions as theirs through /api, so that nothing is replayed, retried or looked up
 * unrecorded whichever way it was asked; sign-ins too. A change is written before it acts (if it
 * cannot be, the change does not happen) and finished with its outcome; a read is one row, written
 * before its answer leaves (AdminAuditLog.read).
 */
@Injectable()
export class ConsoleAuditService {
  /**
   * Every session was opened with ADMIN_TOKEN (and ends when it changes), or with this process's sign-in
   * link: the caller is named by that fingerprint.
   */
  private readonly fingerprint: string;

  constructor(
    private readonly log: AdminAuditLogService,
    sessions: ConsoleSessionsService,
  ) {
    this.fingerprint = sessions.fingerprint;
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

  /** `target`: personal data masked (emailTarget). */
  read<T>(request: Request, action: string, target: string, read: () => Promise<T>): Promise<T> {
    return this.log.read({ tokenFingerprint: this.fingerprint, remoteAddress: request.ip ?? null, action, target, via: 'console' }, read);
  }
}
