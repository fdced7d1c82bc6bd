import { Injectable } from '@nestjs/common';
import { EventHistoryQuery, ReceivedEventView } from '../../../core/events';
import { EngagementQuery, EngagementView } from '../../customer-engagement';
import { EntitlementView, FulfillmentQuery } from '../../fulfillment';
import { ActivityRow, NotificationActivityQuery } from '../../ipn';
import { OrderView, OrdersQuery } from '../../orders';

/** Everything that happened to one order, from each module's public read side. */
export interface OrderJourney {
  refNo: string;
  /** Null while no notification of it has been processed (or while its processing fails). */
  order: OrderView | null;
  /** Stored notifications and refusals naming this REFNO, newest first. */
  notifications: ActivityRow[];
  /** The received events of its stored notifications (replays included), with what their delivery raised. */
  events: ReceivedEventView[];
  entitlements: EntitlementView[];
  messages: EngagementView[];
}

@Injectable()
export class OrderJourneyService {
  constructor(
    private readonly orders: OrdersQuery,
    private readonly activity: NotificationActivityQuery,
    private readonly history: EventHistoryQuery,
    private readonly fulfillment: FulfillmentQuery,
    private readonly engagement: EngagementQuery,
  ) {}

  /** Null when nothing ever arrived for this REFNO. */
  async of(refNo: string): Promise<OrderJourney | null> {
    const [order, notifications, entitlements, messages] = await Promise.all([
      this.orders.find(refNo),
      this.activity.recent({ refNo, limit: 500 }),
      this.fulfillment.forOrder(refNo),
      this.engagement.forOrder(refNo),
    ]);
    if (!order && notifications.length === 0) return null;
    const stored = notifications.filter((notification) => notification.outcome !== 'refused').map((notification) => notification.id);
    return { refNo, order, notifications, events: await this.history.forNotifications(stored), entitlements, messages };
  }
}
