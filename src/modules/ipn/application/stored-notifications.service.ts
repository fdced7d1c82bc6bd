import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotificationRepository, StoredNotification } from '../persistence/notification.repository';

export type { StoredNotification } from '../persistence/notification.repository';

/** What processing stages read of the inbox: stored notifications, parsed from their raw bodies. */
@Injectable()
export class StoredNotifications {
  constructor(private readonly notifications: NotificationRepository) {}

  /** In the caller's (delivery) transaction. */
  read(manager: EntityManager, ids: readonly string[]): Promise<Map<string, StoredNotification>> {
    return this.notifications.read(manager, ids);
  }
}
