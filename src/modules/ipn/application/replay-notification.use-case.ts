import { Injectable } from '@nestjs/common';
import { OutboxRelay } from '../../../core/events';
import { NotificationRepository } from '../persistence/notification.repository';

/**
 * Runs the processing of stored notifications again, like the platform's "resend notification": their
 * received events are queued anew. Processing is idempotent: a notification already applied changes
 * nothing; one whose processing failed is processed now.
 */
@Injectable()
export class ReplayNotificationUseCase {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly relay: OutboxRelay,
  ) {}

  /** False when no accepted notification has this id. */
  async execute(id: string): Promise<boolean> {
    const queued = await this.notifications.queueReplay([id]);
    if (queued.length > 0) this.relay.wake();
    return queued.length > 0;
  }
}
