import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { GroupCommit } from '../../../core/batching';
import { OutboxRelay } from '../../../core/events';
import type { NotificationStatus } from '../persistence/ipn-notification.entity';
import { FormBody, isSignatureField, lengthPrefixed, missingReceiptFields } from '../protocol';
import { NotificationProcessors, StoredNotification } from './notification-processors';
import type { VerifiedNotification } from './verified-notification';

export interface RecordedNotification {
  readonly id: string;
  readonly status: NotificationStatus;
  /** True when this exact notification was stored before (a re-delivery). */
  readonly duplicate: boolean;
  /** Receipt fields the notification lacks; non-empty means it was stored as unprocessable. */
  readonly missing: string[];
}

/** A verified notification with what the inbox row needs, computed before it joins a batch. */
interface Arrival {
  readonly notification: VerifiedNotification;
  readonly key: string;
  readonly contentHash: Buffer;
  readonly status: NotificationStatus;
  readonly missing: string[];
  readonly test: boolean;
}

interface InboxRow {
  id: string;
  key: string;
  status: NotificationStatus;
  inserted: boolean;
}

const COLUMNS = [
  'kind', 'listener', 'content_hash', 'algorithm', 'status', 'problem', 'raw_body', 'ref_no',
  'order_status', 'ipn_date', 'message_id', 'license_code', 'test_order', 'remote_address', 'delivery_count',
];

/**
 * Stores verified notifications and what they change (orders, outbox events) in one transaction,
 * committed before this resolves. Notifications arriving together share that transaction (group
 * commit): a burst costs a few statements per batch, not per notification. A re-delivery of signed
 * content already stored only counts the delivery and changes nothing else.
 */
@Injectable()
export class RecordNotificationUseCase {
  private readonly group: GroupCommit<Arrival, RecordedNotification>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly processors: NotificationProcessors,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.group = new GroupCommit((arrivals) => this.commit(arrivals), config.ipn.groupCommit);
  }

  execute(notification: VerifiedNotification): Promise<RecordedNotification> {
    const { form, kind, listener } = notification;
    const missing = missingReceiptFields(kind, form);
    const contentHash = hashContent(form);
    return this.group.submit({
      notification,
      key: `${kind}/${listener}/${contentHash.toString('hex')}`,
      contentHash,
      status: missing.length ? 'unprocessable' : 'accepted',
      missing,
      test: form.first(kind === 'ipn' ? 'TEST_ORDER' : 'TEST') === '1',
    });
  }

  private async commit(arrivals: readonly Arrival[]): Promise<RecordedNotification[]> {
    const rows = await this.dataSource.transaction(async (manager) => {
      const stored = await insertInbox(manager, arrivals);
      const fresh: StoredNotification[] = [];
      const seen = new Set<string>();
      for (const arrival of arrivals) {
        const row = stored.get(arrival.key)!;
        if (!row.inserted || row.status !== 'accepted' || seen.has(row.key)) continue;
        seen.add(row.key);
        const { kind, listener, form } = arrival.notification;
        fresh.push({ id: row.id, kind, listener, form, test: arrival.test, replay: false });
      }
      if (fresh.length) await this.processors.run(fresh, manager);
      return stored;
    });
    const firstOfKey = new Set<string>();
    const recorded = arrivals.map((arrival) => {
      const row = rows.get(arrival.key)!;
      // Within a batch, the first arrival of a content is the delivery that stored it.
      const duplicate = !row.inserted || firstOfKey.has(arrival.key);
      firstOfKey.add(arrival.key);
      return { id: row.id, status: row.status, duplicate, missing: arrival.missing };
    });
    if (recorded.some((notification) => !notification.duplicate)) this.relay.wake();
    return recorded;
  }
}

/**
 * One multi-row upsert for the batch. Copies of one content in the batch become one row counting them
 * all; rows go in content-hash order so two batches that share contents lock them in the same order.
 */
async function insertInbox(manager: EntityManager, arrivals: readonly Arrival[]): Promise<Map<string, InboxRow>> {
  const copies = new Map<string, { arrival: Arrival; count: number }>();
  for (const arrival of arrivals) {
    const entry = copies.get(arrival.key);
    if (entry) entry.count += 1;
    else copies.set(arrival.key, { arrival, count: 1 });
  }
  const unique = [...copies.values()].sort((a, b) => Buffer.compare(a.arrival.contentHash, b.arrival.contentHash));
  const parameters: unknown[] = [];
  const tuples = unique.map(({ arrival, count }) => {
    const { notification, contentHash, status, missing, test } = arrival;
    const { form } = notification;
    const at = parameters.length;
    parameters.push(
      notification.kind,
      notification.listener,
      contentHash,
      notification.algorithm,
      status,
      missing.length ? `missing ${missing.join(', ')}` : null,
      notification.rawBody,
      form.first('REFNO') ?? null,
      form.first('ORDERSTATUS') ?? null,
      form.first('IPN_DATE') ?? null,
      form.first('MESSAGE_ID') ?? null,
      form.first('LICENSE_CODE') ?? null,
      test,
      notification.remoteAddress ?? null,
      count,
    );
    return `(${COLUMNS.map((_, i) => `$${at + i + 1}`).join(', ')})`;
  });
  const rows: Array<Omit<InboxRow, 'key'> & { kind: string; listener: string; content_hash: Buffer }> =
    await manager.query(
      `INSERT INTO ipn_notification (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}
       ON CONFLICT (kind, listener, content_hash) DO UPDATE
         SET delivery_count = ipn_notification.delivery_count + EXCLUDED.delivery_count, last_received_at = now()
       RETURNING id, kind, listener, content_hash, status, (xmax = 0) AS inserted`,
      parameters,
    );
  return new Map(
    rows.map((row) => {
      const key = `${row.kind}/${row.listener}/${row.content_hash.toString('hex')}`;
      return [key, { id: row.id, key, status: row.status, inserted: row.inserted }];
    }),
  );
}

/** Names and values of the signed fields: the same for every delivery of one notification. */
function hashContent(form: FormBody): Buffer {
  const parts: Buffer[] = [];
  for (const field of form.fields) {
    if (!isSignatureField(field.name)) parts.push(Buffer.from(field.name, 'utf8'), ...field.values);
  }
  return createHash('sha256').update(lengthPrefixed(parts)).digest();
}
