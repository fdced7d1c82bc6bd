import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { FormBody, NotificationKind } from '../protocol';

/** A stored, authentic notification, as processors see it. */
export interface StoredNotification {
  readonly id: string;
  readonly kind: NotificationKind;
  readonly listener: string;
  readonly form: FormBody;
  readonly test: boolean;
}

/**
 * Work another module does with each stored notification, inside the transaction that stores it: its
 * changes and the events it writes to the outbox commit with the notification, or not at all. It must
 * be idempotent: a replay runs it again on the same notification.
 */
export interface NotificationProcessor {
  process(notification: StoredNotification, manager: EntityManager): Promise<void>;
}

/** Where modules register their processors (at module init); the IPN module knows none of them. */
@Injectable()
export class NotificationProcessors {
  private readonly processors: Record<NotificationKind, NotificationProcessor[]> = { ipn: [], lcn: [] };

  register(kind: NotificationKind, processor: NotificationProcessor): void {
    this.processors[kind].push(processor);
  }

  async run(notification: StoredNotification, manager: EntityManager): Promise<void> {
    for (const processor of this.processors[notification.kind]) await processor.process(notification, manager);
  }
}
