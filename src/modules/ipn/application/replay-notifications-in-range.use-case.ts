import { Injectable } from '@nestjs/common';
import { OutboxRelay } from '../../../core/events';
import { NotificationActivityRepository } from '../persistence/notification-activity.repository';
import { NotificationRepository } from '../persistence/notification.repository';

/** Replays are queued this many at a time: one statement never carries an unbounded id list. */
const CHUNK = 1000;
/** The widest range callers should accept: a wider one is a mistake more often than a wish. */
export const MAX_REPLAY_RANGE_MS = 31 * 86_400_000;

/**
 * Replays every accepted notification that arrived in [from, to), as ReplayNotificationUseCase does for
 * one: after an outage of a consumer, or a fix deployed, the whole window is processed again.
 */
@Injectable()
export class ReplayNotificationsInRangeUseCase {
  constructor(
    private readonly activity: NotificationActivityRepository,
    private readonly notifications: NotificationRepository,
    private readonly relay: OutboxRelay,
  ) {}

  /** Returns how many notifications were queued. */
  async execute(from: Date, to: Date): Promise<number> {
    const ids = await this.activity.acceptedIdsReceivedBetween(from, to);
    let queued = 0;
    for (let start = 0; start < ids.length; start += CHUNK) {
      queued += (await this.notifications.queueReplay(ids.slice(start, start + CHUNK))).length;
      this.relay.wake();
    }
    return queued;
  }
}
