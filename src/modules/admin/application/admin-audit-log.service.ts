import { Injectable } from '@nestjs/common';
import type { AdminAuditEntity, AuditOutcome } from '../persistence/admin-audit.entity';
import { AdminAuditRepository, AuditStart } from '../persistence/admin-audit.repository';

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
}

/**
 * The admin API's audit log. An entry is written before the call acts (if it cannot be written, the
 * call does not act) and finished with the outcome, so nothing is replayed or retried unrecorded.
 */
@Injectable()
export class AdminAuditLog {
  constructor(private readonly entries: AdminAuditRepository) {}

  start(entry: AuditStart): Promise<string> {
    return this.entries.start(entry);
  }

  finish(id: string, outcome: AuditOutcome, detail: string | null = null): Promise<void> {
    return this.entries.finish(id, outcome, detail);
  }

  async newest(limit: number, before?: Date): Promise<AuditEntryView[]> {
    return (await this.entries.newest(limit, before)).map((entry: AdminAuditEntity) => ({ ...entry }));
  }
}
