import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { REJECTION_DETAIL_CHARS, REJECTION_TEXT_CHARS, RejectionReason } from '../persistence/ipn-rejection.entity';

/** The reasons a refusal is recorded under, for the HTTP layer that names them. */
export type { RejectionReason };
import { RejectionRepository, RejectionRow } from '../persistence/rejection.repository';
import { NotificationKind, printable } from '../protocol';
import { MinuteBudget } from './minute-budget';
import { RejectionWriter } from './rejection-writer';

export interface Rejection {
  kind: NotificationKind;
  listener: string;
  reason: RejectionReason;
  detail: string;
  remoteAddress: string | undefined;
  /** The sender as refusals are counted per sender: the IPv4 address, or the IPv6 /64. */
  sender: string;
  refNo: string | undefined;
  bodyBytes: number;
}

/** Rows a sender gets for one reason in a minute, within the minute's budget: one forger cannot take it all. */
export const REJECTION_SAMPLE = 5;
/** Queued refusals are written together this long after the first: a flood costs a few statements a second. */
const WRITE_DELAY_MS = 250;
const RETRY_MS = 5000;
const MAX_QUEUED_COUNTERS = 10_000;

/**
 * Keeps a bounded trace of refused requests, so a forger can fill neither the disk nor the log, from
 * one address or from a million: texts cut short and made printable (NUL bytes included); at most
 * IPN_REFUSAL_RECORDS_PER_MINUTE rows and log lines a minute, whatever the number of senders, at most
 * REJECTION_SAMPLE of them per sender and reason; every other refusal counted in one row per (kind,
 * listener, reason, minute). Written in the background (RejectionWriter): a refusal never waits for
 * the database, and is answered even if the write fails.
 */
@Injectable()
export class RecordRejectionService implements OnModuleDestroy {
  private readonly logger = new Logger('IpnRejections');
  private readonly writer: RejectionWriter;
  private readonly rows: MinuteBudget;
  private readonly lines: MinuteBudget;
  private minute = -1;
  /** Rows this minute per (sender, reason); only senders that got one, so at most the minute's budget. */
  private readonly perSender = new Map<string, number>();

  constructor(
    rejections: RejectionRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const budget = config.ipn.refusalRecordsPerMinute;
    this.rows = new MinuteBudget(budget);
    this.lines = new MinuteBudget(budget);
    this.writer = new RejectionWriter(rejections, {
      delayMs: WRITE_DELAY_MS,
      retryMs: RETRY_MS,
      // Two minutes of rows: the write every WRITE_DELAY_MS keeps it near empty unless the database is away.
      maxSamples: 2 * budget,
      maxCounters: MAX_QUEUED_COUNTERS,
    });
  }

  /**
   * Records a refusal: its own row and log line while the minute's budget and the sender's sample
   * last, otherwise counted; `individually` false (a sender over IPN_REFUSALS_PER_MINUTE): counted
   * only. Returns whether it got its own row. Never waits for the database.
   */
  record(rejection: Rejection, individually = true, now = Date.now()): boolean {
    const row = bounded(rejection, new Date(now));
    const minute = MinuteBudget.minuteOf(now);
    if (minute !== this.minute) {
      this.minute = minute;
      this.perSender.clear();
    }
    const key = `${rejection.sender} ${row.reason}`;
    const sampled = this.perSender.get(key) ?? 0;
    if (individually && sampled < REJECTION_SAMPLE && this.rows.take(now)) {
      if (this.writer.sample(row)) {
        this.perSender.set(key, sampled + 1);
        if (this.lines.take(now)) {
          this.logger.warn(`Refused ${row.kind} on listener "${row.listener}" from ${row.remoteAddress}: ${row.detail}`);
        }
        return true;
      }
    }
    if (this.rows.firstTimeOut(now)) {
      this.logger.warn(
        `${this.config.ipn.refusalRecordsPerMinute} refusals recorded this minute (IPN_REFUSAL_RECORDS_PER_MINUTE): further ones are only counted`,
      );
    }
    // Only configured listener names: a URL must not be able to create counter rows.
    const listener = this.config.ipn.listeners.has(rejection.listener) ? row.listener : 'unknown';
    this.writer.count({ ...row, listener }, new Date(minute));
    return false;
  }

  /** Says, within the minute's budget of log lines, that a sender went over IPN_REFUSALS_PER_MINUTE. */
  senderOverBudget(sender: string, now = Date.now()): void {
    if (!this.lines.take(now)) return;
    this.logger.warn(
      `${printable(sender, REJECTION_TEXT_CHARS)} was refused ${this.config.ipn.refusalsPerMinute} times within a minute ` +
        '(IPN_REFUSALS_PER_MINUTE): its further refusals get 429 and are only counted',
    );
  }

  /** Writes the refusals queued so far. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Refusals queued and not yet written. */
  get pending(): number {
    return this.writer.pending;
  }

  /** Before the database connection closes (at application shutdown, once requests are answered). */
  onModuleDestroy(): Promise<void> {
    return this.writer.close();
  }
}

function bounded(rejection: Rejection, receivedAt: Date): RejectionRow {
  return {
    kind: rejection.kind,
    listener: printable(rejection.listener, REJECTION_TEXT_CHARS),
    reason: rejection.reason,
    detail: printable(rejection.detail, REJECTION_DETAIL_CHARS),
    remoteAddress: printable(rejection.remoteAddress ?? 'unknown', REJECTION_TEXT_CHARS),
    refNo: rejection.refNo === undefined ? null : printable(rejection.refNo, REJECTION_TEXT_CHARS),
    bodyBytes: rejection.bodyBytes,
    receivedAt,
  };
}
