import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { GroupCommit } from '../../../core/batching';
import { OutboxRelay } from '../../../core/events';
import type { NotificationStatus } from '../persistence/ipn-notification.entity';
import { InboxArrival, InboxRow, NotificationRepository } from '../persistence/notification.repository';
import { missingReceiptFields, notificationIdentity } from '../protocol';
import { StoredNotificationsService } from './stored-notifications.service';
import type { VerifiedNotification } from './verified-notification';

export interface RecordedNotification {
  readonly id: string;
  readonly status: NotificationStatus;
  /**
   * True when this notification was stored before: a re-delivery, a copy posted to another listener of
   * the account, a retry signed with another key, or a replay with renamed fields.
   */
  readonly duplicate: boolean;
  /** Receipt fields the notification lacks; non-empty means it was stored as unprocessable. */
  readonly missing: string[];
}

/** Search columns are a display copy of the raw body (the record): bounded, so any value is storable. */
const COLUMN_CHARS = 64;

/**
 * Stores verified notifications: the raw body and the event that queues its processing, committed
 * before this resolves; nothing else happens on the request path. Notifications arriving together
 * share one statement (group commit). A notification is one row per (kind, account, identity): a
 * delivery of one stored before, through any listener of the account and signed with any of its keys,
 * only counts the delivery. Processing (orders, accounts, entitlements, messages) follows, from the outbox.
 */
@Injectable()
export class RecordNotificationUseCase implements BeforeApplicationShutdown {
  private readonly group: GroupCommit<InboxArrival, InboxRow>;
  private readonly accounts: ReadonlyMap<string, string>;

  constructor(
    private readonly notifications: NotificationRepository,
    private readonly stored: StoredNotificationsService,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.group = new GroupCommit((arrivals) => this.commit(arrivals), config.ipn.groupCommit);
    this.accounts = new Map([...config.ipn.listeners.values()].map((listener) => [listener.name, listener.account]));
  }

  /** At shutdown, before the pool closes: batches of requests cut by the HTTP drain still commit or roll back. */
  beforeApplicationShutdown(): Promise<void> {
    return this.group.settled();
  }

  async execute(notification: VerifiedNotification): Promise<RecordedNotification> {
    const missing = missingReceiptFields(notification.kind, notification.form);
    const account = this.accounts.get(notification.listener) ?? notification.listener;
    const row = await this.group.submit(arrivalOf(notification, account, missing));
    if (row.inserted && row.status === 'accepted') {
      const { kind, listener, form } = notification;
      const identity = row.identity.toString('hex');
      this.stored.remember({ id: row.id, kind, listener, identity, form, test: isTest(notification), receivedAt: row.receivedAt });
    }
    return { id: row.id, status: row.status, duplicate: !row.inserted, missing };
  }

  /**
   * One statement for the batch. Deliveries of one notification in it (same kind, account and identity)
   * become one row counting them all; the first is the delivery that stored it, the others are duplicates.
   */
  private async commit(arrivals: readonly InboxArrival[]): Promise<InboxRow[]> {
    const unique = new Map<string, InboxArrival & { count: number }>();
    for (const arrival of arrivals) {
      const key = keyOf(arrival);
      const copy = unique.get(key);
      unique.set(key, copy ? { ...copy, count: copy.count + 1 } : { ...arrival, count: 1 });
    }
    const rows = await this.notifications.store([...unique.values()]);
    if (rows.some((row) => row.inserted)) this.relay.wake();
    const byKey = new Map(rows.map((row) => [keyOf(row), row]));
    const firstSeen = new Set<string>();
    return arrivals.map((arrival) => {
      const key = keyOf(arrival);
      const row = byKey.get(key)!;
      const copy = firstSeen.has(key) ? { ...row, inserted: false } : row;
      firstSeen.add(key);
      return copy;
    });
  }
}

/** The inbox's unique key, as the statement's ON CONFLICT sees it. */
function keyOf(row: { kind: string; account: string; identity: Buffer }): string {
  return `${row.kind}/${row.account}/${row.identity.toString('hex')}`;
}

function arrivalOf(notification: VerifiedNotification, account: string, missing: string[]): InboxArrival {
  const { form, kind } = notification;
  const column = (name: string): string | null => form.first(name)?.slice(0, COLUMN_CHARS) ?? null;
  return {
    kind,
    listener: notification.listener,
    account,
    identity: notificationIdentity(form),
    algorithm: notification.algorithm,
    status: missing.length ? 'unprocessable' : 'accepted',
    problem: missing.length ? `missing ${missing.join(', ')}` : null,
    rawBody: notification.rawBody,
    refNo: column('REFNO'),
    orderStatus: column('ORDERSTATUS'),
    ipnDate: column('IPN_DATE'),
    messageId: column('MESSAGE_ID'),
    licenseCode: column('LICENSE_CODE'),
    test: isTest(notification),
    remoteAddress: notification.remoteAddress ?? null,
    count: 1,
  };
}

function isTest({ kind, form }: VerifiedNotification): boolean {
  return form.first(kind === 'ipn' ? 'TEST_ORDER' : 'TEST') === '1';
}
