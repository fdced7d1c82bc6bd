import { DomainEventBase } from '../../../core/events';

export type EngagementKind =
  | 'order_confirmation'
  | 'welcome'
  | 'access_granted'
  | 'refund_notice'
  | 'partial_refund_notice'
  | 'cancel_notice'
  | 'renewal_receipt'
  | 'payment_past_due'
  | 'subscription_ended'
  | 'cancellation_scheduled'
  | 'subscription_reactivated'
  | 'subscription_suspended';

export interface EngagementDetails {
  engagementId: string;
  kind: EngagementKind;
  email: string;
  subject: string;
  transport: string;
}

/**
 * A customer message was recorded on the customer's timeline. The transport sends it: the log transport
 * as it is recorded, an outside one (SMTP) once the record has committed.
 */
export class EngagementRecordedEvent extends DomainEventBase<'engagement.recorded', EngagementDetails> {
  static readonly NAME = 'engagement.recorded';
  static readonly VERSION = 1;
}
