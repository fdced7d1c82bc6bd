import { Injectable, Logger } from '@nestjs/common';
import type { AdminAuditEntity, AuditOutcome } from '../persistence/admin-audit.entity';
import { AdminAuditRepository, AuditRecord, AuditStart } from '../persistence/admin-audit.repository';
import { detailOf, outcomeOf } from './audit-outcome';

export interface AuditEntryView {
  readonly id: string;
  readonly at: Date;
  readonly tokenFingerprint: string;
  readonly remoteAddress: string | null;
  readonly action: string;
  readonly target: string;
  readonly outcome: AuditOutcome;
  readonly detail: string | null;
  readonly finishedAt: Date | null;
  /** 1, or for a row counting a minute's unsampled failed sign-ins, their number. */
  readonly count: number;
}

export interface AuditedRead extends AuditStart {
  /** Where it was asked, for the detail (`console`); nothing for /api. */
  readonly via?: string;
}

export type { AuditRecord, AuditStart };

/**
 * The admin audit log. A change is written before it acts (if it cannot be written, it does not act)
 * and finished with the outcome, so nothing is replayed or retried unrecorded. A read of customer data
 * is one row written with its outcome before the answer leaves: if that row cannot be written, the
 * answer is an error and the data is not sent.
 */
@Injectable()
export class AdminAuditLogService {
  private readonly logger = new Logger('AdminAudit');

  constructor(private readonly entries: AdminAuditRepository) {}

  start(entry: AuditStart): Promise<string> {
    return this.entries.start(entry);
  }

  finish(id: string, outcome: AuditOutcome, detail: string | null = null): Promise<void> {
    return this.entries.finish(id, outcome, detail);
  }

  /** One row, already ended. */
  record(entry: AuditRecord): Promise<void> {
    return this.entries.record(entry);
  }

  /** `count` more calls in the one counting row of `entry.action` for `minute`. */
  count(entry: AuditRecord, minute: Date, count: number): Promise<void> {
    return this.entries.count(entry, minute, count);
  }

  /** Runs `read`, then writes its one row; the result is returned only once that row is written. */
  async read<T>(entry: AuditedRead, read: () => Promise<T>): Promise<T> {
    const { via, ...who } = entry;
    let result: T;
    try {
      result = await read();
    } catch (error) {
      const detail = via ? `${via}: ${detailOf(error)}` : detailOf(error);
      // The read failed, so nothing was shown; the error the caller sees is the read's own.
      await this.entries
        .record({ ...who, outcome: outcomeOf(error), detail })
        .catch((failure: Error) => this.logger.error(`Could not record a failed ${who.action}: ${failure.message}`));
      throw error;
    }
    await this.entries.record({ ...who, outcome: 'done', detail: via ?? null });
    return result;
  }

  async newest(limit: number, before?: Date): Promise<AuditEntryView[]> {
    return (await this.entries.newest(limit, before)).map(({ sampled: _sampled, ...entry }: AdminAuditEntity) => ({ ...entry }));
  }
}
