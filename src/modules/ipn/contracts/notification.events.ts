import { DomainEventBase } from '../../../core/events';
import type { NotificationKind } from '../protocol';

/** A stored, authentic notification to be processed (its raw body is read from the inbox). */
export interface NotificationReceived {
  readonly notificationId: string;
  readonly kind: NotificationKind;
  readonly listener: string;
  /** Queued again by an operator (replay): processing it a second time must change nothing. */
  readonly replay: boolean;
}

/**
 * An IPN was stored: written in the statement that stores it. It starts a chain; the notification's
 * id is the correlationId of every event along it.
 */
export class IpnReceivedEvent extends DomainEventBase<'ipn.received', NotificationReceived> {
  static readonly NAME = 'ipn.received';
  static readonly VERSION = 1;
}

/** An LCN was stored. */
export class LcnReceivedEvent extends DomainEventBase<'lcn.received', NotificationReceived> {
  static readonly NAME = 'lcn.received';
  static readonly VERSION = 1;
}
