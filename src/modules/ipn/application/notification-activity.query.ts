import { Injectable } from '@nestjs/common';
import { ActivityFilter, ActivityRow, MinuteCount, NotificationActivityRepository } from '../persistence/notification-activity.repository';

export type { ActivityRow, MinuteCount, NotificationOutcome } from '../persistence/notification-activity.repository';
export type ActivitySearch = Partial<ActivityFilter>;

const MAX_ROWS = 500;

/** What arrived and what became of it, for operators: the inbox and the refusals side by side. */
@Injectable()
export class NotificationActivityQuery {
  constructor(private readonly activity: NotificationActivityRepository) {}

  recent(filter: ActivitySearch): Promise<ActivityRow[]> {
    return this.activity.recent({ ...filter, limit: Math.min(filter.limit ?? 100, MAX_ROWS) });
  }

  perMinute(since: Date): Promise<MinuteCount[]> {
    return this.activity.perMinute(since);
  }

  refusalsByReason(since: Date): Promise<Array<{ reason: string; count: number }>> {
    return this.activity.refusalsByReason(since);
  }
}
