import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '../../../core/events';
import type { NotificationStatus } from '../persistence/ipn-notification.entity';
import { FormBody, isSignatureField, lengthPrefixed, missingReceiptFields } from '../protocol';
import { NotificationProcessors } from './notification-processors';
import type { VerifiedNotification } from './verified-notification';

export interface RecordedNotification {
  readonly id: string;
  readonly status: NotificationStatus;
  /** True when this exact notification was stored before (a re-delivery). */
  readonly duplicate: boolean;
  /** Receipt fields the notification lacks; non-empty means it was stored as unprocessable. */
  readonly missing: string[];
}

const INSERT_NOTIFICATION = `
  INSERT INTO ipn_notification (kind, listener, content_hash, algorithm, status, problem, raw_body, fields,
    ref_no, order_status, ipn_date, message_id, license_code, test_order, remote_address)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
  ON CONFLICT (kind, listener, content_hash) DO UPDATE
    SET delivery_count = ipn_notification.delivery_count + 1, last_received_at = now()
  RETURNING id, status, (xmax = 0) AS inserted`;

/**
 * Stores a verified notification and what it changes (orders, outbox events) in one transaction,
 * committed before this resolves. A re-delivery of the same signed content finds the stored row, only
 * counts the delivery, and changes nothing else.
 */
@Injectable()
export class RecordNotificationUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly processors: NotificationProcessors,
    private readonly relay: OutboxRelay,
  ) {}

  async execute(notification: VerifiedNotification): Promise<RecordedNotification> {
    const { form, kind } = notification;
    const missing = missingReceiptFields(kind, form);
    const status: NotificationStatus = missing.length ? 'unprocessable' : 'accepted';
    const test = form.first(kind === 'ipn' ? 'TEST_ORDER' : 'TEST') === '1';
    const recorded = await this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(INSERT_NOTIFICATION, [
      kind,
      notification.listener,
      contentHash(form),
      notification.algorithm,
      status,
      missing.length ? `missing ${missing.join(', ')}` : null,
      notification.rawBody,
      form.toRecord(),
      form.first('REFNO') ?? null,
      form.first('ORDERSTATUS') ?? null,
      form.first('IPN_DATE') ?? null,
      form.first('MESSAGE_ID') ?? null,
      form.first('LICENSE_CODE') ?? null,
      test,
      notification.remoteAddress ?? null,
      ])) as Array<{ id: string; status: NotificationStatus; inserted: boolean }>;
      if (row.inserted && row.status === 'accepted') {
        await this.processors.run({ id: row.id, kind, listener: notification.listener, form, test }, manager);
      }
      return { id: row.id, status: row.status, duplicate: !row.inserted, missing };
    });
    if (!recorded.duplicate) this.relay.wake();
    return recorded;
  }
}

/** Names and values of the signed fields: the same for every delivery of one notification. */
function contentHash(form: FormBody): Buffer {
  const parts: Buffer[] = [];
  for (const field of form.fields) {
    if (!isSignatureField(field.name)) parts.push(Buffer.from(field.name, 'utf8'), ...field.values);
  }
  return createHash('sha256').update(lengthPrefixed(parts)).digest();
}
