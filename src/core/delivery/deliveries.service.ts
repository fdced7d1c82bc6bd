import { Injectable } from '@nestjs/common';
import type { EventFilter } from '../events';
import type { DeliveryTarget } from './delivery-target';
import { DeliveryStage } from './delivery-stage';
import { DeliveryItemStatus, DeliveryItemView, DeliveryRepository } from './persistence/delivery.repository';

/**
 * Delivery items for operators: listed, and a dead one put back in the queue; and, for sources of
 * targets that come and go (webhook endpoints), a target's life: registered, replayed, skipped ahead, forgotten.
 */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly stage: DeliveryStage,
  ) {}

  list(filter: { channel?: string; status?: DeliveryItemStatus; limit: number }): Promise<DeliveryItemView[]> {
    return this.deliveries.list(filter);
  }

  /** Fresh attempts, now, after its key's newer items; false when there is no dead item with this id. */
  async retry(id: string): Promise<boolean> {
    const retried = await this.deliveries.retry(id);
    if (retried) this.stage.wake();
    return retried !== null;
  }

  /** A new target starts now (startAt `now`: after the events logged so far), not when a poll first sees it. */
  register(target: Pick<DeliveryTarget, 'name' | 'channel' | 'startAt'>): Promise<void> {
    return this.deliveries.register([target]);
  }

  /** Re-sends the target's events logged since `since` (at most `limit`) as items after its keys' others; how many. */
  async replay(target: Pick<DeliveryTarget, 'name' | 'channel'>, filter: EventFilter, since: Date, limit: number): Promise<number> {
    const queued = await this.deliveries.enqueue(target, filter, since, limit);
    if (queued > 0) this.stage.wake();
    return queued;
  }

  /** What the target has not delivered is skipped: it goes on from the log's head; its pending items are given up. */
  skipAhead(name: string, reason: string): Promise<void> {
    return this.deliveries.skipAhead(name, reason);
  }

  /** The target's pending items are given up (a stopped target's leftovers); how many. */
  giveUp(name: string, reason: string): Promise<number> {
    return this.deliveries.giveUp(name, reason);
  }

  /** The target is gone for good: its position and items are deleted. */
  forget(name: string): Promise<void> {
    return this.deliveries.forget(name);
  }
}
