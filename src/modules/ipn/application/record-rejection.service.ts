import { Injectable, Logger } from '@nestjs/common';
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

/**
 * Keeps a bounded trace of refused requests, so a forger can fill neither the disk nor the log: texts
 * cut short and made printable (NUL bytes included), a sample of rows and log lines per address, reason
 * and minute, and a counter for the rest. Best effort: a refusal is answered even if this fails.
 */
@Injectable()
export class RecordRejectionService {
  private readonly logger = new Logger('IpnRejections');
  private minute = 0;
  /** Refusals seen this minute per (address, reason); REJECTION_SAMPLE + 1 once counting has begun. */
  private readonly seen = new Map<string, number>();

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
    try {
      if (seen < REJECTION_SAMPLE) {
        this.logger.warn(`Refused ${row.kind} on listener "${row.listener}" from ${row.remoteAddress}: ${row.detail}`);
        await this.rejections.insertSample(row);
        return;
      }
      if (seen === REJECTION_SAMPLE) {
        this.logger.warn(`Further ${row.reason} refusals from ${row.remoteAddress} this minute are only counted`);
      }
      await this.rejections.count(row, new Date(minute));
    } catch (error) {
      this.logger.error(`Could not record the rejection: ${(error as Error).message}`);
    }
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
