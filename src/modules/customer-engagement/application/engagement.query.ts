import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, Repository } from 'typeorm';
import type { EngagementKind } from '../contracts/engagement.events';
import { EngagementEntity } from '../persistence/engagement.entity';
import type { MessageDelivery } from '../persistence/engagement.repository';

export interface EngagementView {
  id: string;
  kind: EngagementKind;
  email: string;
  refNo: string | null;
  subject: string;
  transport: string;
  test: boolean;
  at: Date;
  /** logged, pending (for the mail stage), sent, or failed after the last attempt (`lastError`). */
  delivery: MessageDelivery;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
}

/** The customer timeline, for the admin API. */
@Injectable()
export class EngagementQuery {
  constructor(@InjectRepository(EngagementEntity) private readonly engagements: Repository<EngagementEntity>) {}

  forOrder(refNo: string): Promise<EngagementView[]> {
    return this.find({ refNo });
  }

  forEmail(email: string): Promise<EngagementView[]> {
    return this.find({ email: email.trim().toLowerCase() });
  }

  private async find(where: FindOptionsWhere<EngagementEntity>): Promise<EngagementView[]> {
    const rows = await this.engagements.find({ where, order: { createdAt: 'ASC' } });
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      email: row.email,
      refNo: row.refNo,
      subject: row.subject,
      transport: row.transport,
      test: row.test,
      at: row.createdAt,
      delivery: row.delivery,
      attempts: row.attempts,
      lastError: row.lastError,
      sentAt: row.sentAt,
    }));
  }
}
