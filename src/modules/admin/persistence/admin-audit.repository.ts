import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AUDIT_DETAIL_CHARS, AUDIT_TARGET_CHARS, AdminAuditEntity, AuditOutcome } from './admin-audit.entity';

export interface AuditStart {
  readonly tokenFingerprint: string;
  readonly remoteAddress: string | null;
  readonly action: string;
  readonly target: string;
}

/** Every statement on admin_audit. */
@Injectable()
export class AdminAuditRepository {
  constructor(@InjectRepository(AdminAuditEntity) private readonly entries: Repository<AdminAuditEntity>) {}

  /** Writes the entry as `requested`; returns its id. */
  async start(entry: AuditStart): Promise<string> {
    const row = await this.entries.save(
      this.entries.create({
        ...entry,
        remoteAddress: entry.remoteAddress?.slice(0, 64) ?? null,
        target: entry.target.slice(0, AUDIT_TARGET_CHARS),
        outcome: 'requested',
      }),
    );
    return row.id;
  }

  async finish(id: string, outcome: AuditOutcome, detail: string | null): Promise<void> {
    await this.entries.update(id, { outcome, detail: detail?.slice(0, AUDIT_DETAIL_CHARS) ?? null, finishedAt: () => 'now()' });
  }

  /** Newest first. */
  newest(limit: number, before?: Date): Promise<AdminAuditEntity[]> {
    const query = this.entries.createQueryBuilder('entry').orderBy('entry.at', 'DESC').addOrderBy('entry.id', 'DESC').limit(limit);
    if (before) query.where('entry.at < :before', { before });
    return query.getMany();
  }
}
