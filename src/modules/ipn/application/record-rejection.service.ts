import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { REJECTION_DETAIL_CHARS, REJECTION_TEXT_CHARS, RejectionReason } from '../persistence/ipn-rejection.entity';
import { RejectionRepository, RejectionRow } from '../persistence/rejection.repository';
import { NotificationKind, printable } from '../protocol';

export interface Rejection {
  kind: NotificationKind;
  listener: string;
  reason: RejectionReason;
  detail: string;
  remoteAddress: string | undefined;
  refNo: string | undefined;
  bodyBytes: number;
}

/** Refusals recorded (and logged) one by one per (address, reason, minute); the rest are counted. */
export const REJECTION_SAMPLE = 5;
/** (address, reason) pairs tracked in a minute; refusals from further pairs are only counted. */
const MAX_TRACKED = 10_000;
const MINUTE_MS = 60_000;
/** Counted refusals are written together this often: a flood costs one statement per address a second. */
const FLUSH_MS = 1000;

interface Counted {
  readonly row: RejectionRow;
  readonly minute: Date;
  count: number;
  largestBody: number;
}

/**
 * Keeps a bounded trace of refused requests, so a forger can fill neither the disk nor the log: texts
 * cut short and made printable (NUL bytes included), a sample of rows and log lines per address, reason
 * and minute, and one counter row for the rest. Best effort: a refusal is answered even if this fails.
 */
@Injectable()
export class RecordRejectionService implements OnModuleDestroy {
  private readonly logger = new Logger('IpnRejections');
  private minute = 0;
  /** Refusals seen this minute per (address, reason); REJECTION_SAMPLE + 1 once counting has begun. */
  private readonly seen = new Map<string, number>();
  private counted = new Map<string, Counted>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly rejections: RejectionRepository) {}

  async record(rejection: Rejection, now = Date.now()): Promise<void> {
    const row = bounded(rejection);
    const minute = now - (now % MINUTE_MS);
    if (minute !== this.minute) {
      this.minute = minute;
      this.seen.clear();
    }
    const key = `${row.remoteAddress} ${row.reason}`;
    const seen = this.seen.get(key) ?? (this.seen.size < MAX_TRACKED ? 0 : REJECTION_SAMPLE + 1);
    if (seen <= REJECTION_SAMPLE) this.seen.set(key, seen + 1);
    if (seen < REJECTION_SAMPLE) {
      this.logger.warn(`Refused ${row.kind} on listener "${row.listener}" from ${row.remoteAddress}: ${row.detail}`);
      await this.rejections.insertSample(row).catch((error: Error) => this.failed(error));
      return;
    }
    if (seen === REJECTION_SAMPLE) {
      this.logger.warn(`Further ${row.reason} refusals from ${row.remoteAddress} this minute are only counted`);
    }
    await this.count(`${key} ${minute}`, row, new Date(minute));
  }

  /** Writes the refusals counted so far. */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const counted = [...this.counted.values()];
    this.counted = new Map();
    for (const { row, minute, count, largestBody } of counted) {
      await this.rejections.count({ ...row, bodyBytes: largestBody }, minute, count).catch((error: Error) => this.failed(error));
    }
  }

  /** Before the database connection closes (at application shutdown). */
  onModuleDestroy(): Promise<void> {
    return this.flush();
  }

  private async count(key: string, row: RejectionRow, minute: Date): Promise<void> {
    const counted = this.counted.get(key);
    if (counted) {
      counted.count += 1;
      counted.largestBody = Math.max(counted.largestBody, row.bodyBytes);
      return;
    }
    this.counted.set(key, { row, minute, count: 1, largestBody: row.bodyBytes });
    if (this.counted.size >= MAX_TRACKED) await this.flush();
    this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
  }

  private failed(error: Error): void {
    this.logger.error(`Could not record a rejection: ${error.message}`);
  }
}

function bounded(rejection: Rejection): RejectionRow {
  return {
    kind: rejection.kind,
    listener: printable(rejection.listener, REJECTION_TEXT_CHARS),
    reason: rejection.reason,
    detail: printable(rejection.detail, REJECTION_DETAIL_CHARS),
    remoteAddress: printable(rejection.remoteAddress ?? 'unknown', REJECTION_TEXT_CHARS),
    refNo: rejection.refNo === undefined ? null : printable(rejection.refNo, REJECTION_TEXT_CHARS),
    bodyBytes: rejection.bodyBytes,
  };
}
