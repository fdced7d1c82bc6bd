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
  /** Processed before: an operator's replay. False when it was stored in this very transaction. */
  readonly replay: boolean;
}

/**
 * Work another module does with stored notifications, inside the transaction that stores them: its
 * changes and the events it writes to the outbox commit with the notifications, or not at all. It gets
 * the notifications committed together (group commit), in arrival order, and should treat them in that
 * order with few statements for the whole batch. It must be idempotent: a replay runs it again on
 * the same notification.
 */
export interface NotificationProcessor {
  process(notifications: readonly StoredNotification[], manager: EntityManager): Promise<void>;
}

/** Where modules register their processors (at module init); the IPN module knows none of them. */
@Injectable()
export class NotificationProcessors {
  private readonly processors: Record<NotificationKind, NotificationProcessor[]> = { ipn: [], lcn: [] };

  register(kind: NotificationKind, processor: NotificationProcessor): void {
    this.processors[kind].push(processor);
  }

  async run(notifications: readonly StoredNotification[], manager: EntityManager): Promise<void> {
    for (const kind of ['ipn', 'lcn'] as const) {
      const ofKind = notifications.filter((notification) => notification.kind === kind);
      if (ofKind.length === 0) continue;
      for (const processor of this.processors[kind]) await processor.process(ofKind, manager);
    }
  }
}
