import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AdminAuditLogService, AuditRecord, NO_VALID_TOKEN } from '../../admin';
import { SIGN_IN_ACTION } from './console-audit.service';

/** Failed sign-ins written one row each in a minute, whatever their senders (this process). */
export const SAMPLED_FAILURES_PER_MINUTE = 20;
const MINUTE_MS = 60_000;
/** The rest are counted, and written together this often: a flood costs one statement a second. */
const FLUSH_MS = 1000;
/** After a failed write, the next attempt waits this long. */
const RETRY_MS = 10_000;
/** Minutes of counts kept while the database cannot take them; past that the oldest are dropped, logged. */
const MAX_UNWRITTEN_MINUTES = 60;

/**
 * A bounded trace of failed console sign-ins in the audit log, like the IPN refusals: a sample of rows
 * a minute (address and why, never the typed text, not even hashed) and one row per minute counting
 * the rest, so that no number of senders fills the table or the log. Best effort: the sign-in is
 * answered even if this cannot be written (then it is logged).
 */
@Injectable()
export class FailedSignInsService implements OnModuleDestroy {
  private readonly logger = new Logger('ConsoleSignIn');
  private minute = 0;
  private sampled = 0;
  /** Failures beyond the sample not yet written, by minute. */
  private counted = new Map<number, number>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly log: AdminAuditLogService) {}

  async record(remoteAddress: string | undefined, reason: string, now = Date.now()): Promise<void> {
    const minute = now - (now % MINUTE_MS);
    if (minute !== this.minute) {
      this.minute = minute;
      this.sampled = 0;
    }
    if (this.sampled < SAMPLED_FAILURES_PER_MINUTE) {
      this.sampled += 1;
      this.logger.warn(`Failed console sign-in from ${remoteAddress ?? 'unknown'}: ${reason}`);
      if (this.sampled === SAMPLED_FAILURES_PER_MINUTE) this.logger.warn('Further failed console sign-ins this minute are only counted');
      await this.log
        .record({ ...failure(reason), remoteAddress: remoteAddress ?? null })
        .catch((error: Error) => this.logger.error(`Could not record a failed console sign-in: ${error.message}`));
      return;
    }
    this.counted.set(minute, (this.counted.get(minute) ?? 0) + 1);
    this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
  }

  /** Writes the failures counted so far. */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const counted = this.counted;
    this.counted = new Map();
    for (const [minute, count] of counted) {
      await this.log
        .count(failure('beyond the sample: counted'), new Date(minute), count)
        .catch((error: Error) => this.keep(minute, count, error));
    }
  }

  /** Before the database connection closes (at application shutdown). */
  onModuleDestroy(): Promise<void> {
    return this.flush();
  }

  private keep(minute: number, count: number, error: Error): void {
    this.logger.error(`Could not record ${count} failed console sign-ins, will try again: ${error.message}`);
    this.counted.set(minute, (this.counted.get(minute) ?? 0) + count);
    for (const [oldest, lost] of this.counted) {
      if (this.counted.size <= MAX_UNWRITTEN_MINUTES) break;
      this.counted.delete(oldest);
      this.logger.error(`Dropped the count of ${lost} failed console sign-ins of ${new Date(oldest).toISOString()}`);
    }
    this.flushTimer ??= setTimeout(() => void this.flush(), RETRY_MS).unref();
  }
}

function failure(detail: string): AuditRecord {
  return { tokenFingerprint: NO_VALID_TOKEN, remoteAddress: null, action: SIGN_IN_ACTION, target: 'console', outcome: 'rejected', detail };
}
