import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { printable } from '../../ipn';
import { AUDIT_DETAIL_CHARS, AUDIT_TARGET_CHARS, AdminAuditEntity, AuditOutcome } from './admin-audit.entity';

export interface AuditStart {
  readonly tokenFingerprint: string;
  readonly remoteAddress: string | null;
  readonly action: string;
  readonly target: string;
}

/** A call written once, already ended. */
export interface AuditRecord extends AuditStart {
  readonly outcome: Exclude<AuditOutcome, 'requested'>;
  readonly detail: string | null;
}

/** Every statement on admin_audit. */
@Injectable()
export class AdminAuditRepository {
  constructor(@InjectRepository(AdminAuditEntity) private readonly entries: Repository<AdminAuditEntity>) {}

  /** Writes the entry as `requested`; returns its id. */
  async start(entry: AuditStart): Promise<string> {
    const row = await this.entries.save(this.entries.create({ ...bounded(entry), outcome: 'requested' }));
    return row.id;
  }

  async finish(id: string, outcome: AuditOutcome, detail: string | null): Promise<void> {
    await this.entries.update(id, { outcome, detail: detail?.slice(0, AUDIT_DETAIL_CHARS) ?? null, finishedAt: () => 'now()' });
  }

  /** One INSERT: the entry with its outcome, finished as it is written. */
  async record(entry: AuditRecord): Promise<void> {
    const row = bounded(entry);
    await this.entries.query(
      `INSERT INTO admin_audit (token_fingerprint, remote_address, action, target, outcome, detail, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())`,
      [row.tokenFingerprint, row.remoteAddress, row.action, row.target, entry.outcome, entry.detail?.slice(0, AUDIT_DETAIL_CHARS) ?? null],
    );
  }

  /** Adds `count` calls to the one counting row of their (action, minute), created by the first. */
  async count(entry: AuditRecord, minute: Date, count: number): Promise<void> {
    const row = bounded(entry);
    await this.entries.query(
      `INSERT INTO admin_audit (at, token_fingerprint, remote_address, action, target, outcome, detail, finished_at, sampled, count)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now(), false, $8)
       ON CONFLICT (action, at) WHERE sampled = false
       DO UPDATE SET count = admin_audit.count + EXCLUDED.count, finished_at = now()`,
      [minute, row.tokenFingerprint, row.remoteAddress, row.action, row.target, entry.outcome, entry.detail, count],
    );
  }

  /** Newest first. */
  newest(limit: number, before?: Date): Promise<AdminAuditEntity[]> {
    const query = this.entries.createQueryBuilder('entry').orderBy('entry.at', 'DESC').addOrderBy('entry.id', 'DESC').limit(limit);
    if (before) query.where('entry.at < :before', { before });
    return query.getMany();
  }
}

function bounded(entry: AuditStart): AuditStart {
  return {
    tokenFingerprint: entry.tokenFingerprint,
    remoteAddress: entry.remoteAddress === null ? null : printable(entry.remoteAddress, 64),
    action: entry.action,
    // Targets come from URLs: no control character (NUL would fail the insert), bounded.
    target: printable(entry.target, AUDIT_TARGET_CHARS),
  };
}
