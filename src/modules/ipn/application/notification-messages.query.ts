import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { IpnNotificationEntity } from '../persistence/ipn-notification.entity';
import { FormBody } from '../protocol';

export interface NotificationMessageView {
  id: string;
  kind: string;
  listener: string;
  status: string;
  problem: string | null;
  refNo: string | null;
  orderStatus: string | null;
  ipnDate: string | null;
  messageId: string | null;
  licenseCode: string | null;
  test: boolean;
  algorithm: string;
  deliveryCount: number;
  receivedAt: Date;
  /** Decoded from the raw body, in the order received. */
  fields: Record<string, string | string[]>;
}

/** Stored notifications, newest first, for debugging. */
@Injectable()
export class NotificationMessagesQuery {
  constructor(@InjectRepository(IpnNotificationEntity) private readonly notifications: Repository<IpnNotificationEntity>) {}

  async find(filter: { refNo?: string; status?: string; limit?: number }): Promise<NotificationMessageView[]> {
    const rows = await this.notifications.find({
      where: { ...(filter.refNo ? { refNo: filter.refNo } : {}), ...(filter.status ? { orderStatus: filter.status } : {}) },
      order: { receivedAt: 'DESC' },
      take: Math.min(filter.limit ?? 100, 500),
    });
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      listener: row.listener,
      status: row.status,
      problem: row.problem,
      refNo: row.refNo,
      orderStatus: row.orderStatus,
      ipnDate: row.ipnDate,
      messageId: row.messageId,
      licenseCode: row.licenseCode,
      test: row.testOrder,
      algorithm: row.algorithm,
      deliveryCount: row.deliveryCount,
      receivedAt: row.receivedAt,
      fields: FormBody.parse(row.rawBody).toRecord(),
    }));
  }
}
