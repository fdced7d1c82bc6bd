import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotificationRepository, StoredNotification } from '../persistence/notification.repository';

export type { StoredNotification } from '../persistence/notification.repository';

/** Notifications stored by this process and not yet read back: at most this many are kept. */
const RECENT_LIMIT = 10_000;

/**
 * What processing stages read of the inbox: stored notifications, parsed. Those this process stored
 * a moment ago are handed over from memory (the form the guard parsed), saving a read of the raw body
 * and a second parse; any other (another instance's, after a restart, a replay) is read from the inbox.
 */
@Injectable()
export class StoredNotifications {
  private readonly recent = new Map<string, StoredNotification>();

  constructor(private readonly notifications: NotificationRepository) {}

  /** Called once a notification is committed. */
  remember(notification: StoredNotification): void {
    if (this.recent.size >= RECENT_LIMIT) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(notification.id, notification);
  }

  /** In the caller's (delivery) transaction. */
  async read(manager: EntityManager, ids: readonly string[]): Promise<Map<string, StoredNotification>> {
    const found = new Map<string, StoredNotification>();
    const missing: string[] = [];
    for (const id of ids) {
      const notification = this.recent.get(id);
      if (notification) found.set(id, notification);
      else missing.push(id);
    }
    if (missing.length > 0) for (const [id, notification] of await this.notifications.read(manager, missing)) found.set(id, notification);
    // Read back once: a later read (a retry, a replay) goes to the inbox, which is the record.
    for (const id of ids) this.recent.delete(id);
    return found;
  }
}
