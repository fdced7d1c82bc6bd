import { DomainEventBase } from '../../../core/events';

export type SubscriptionStatus = 'active' | 'past_due' | 'canceled' | 'expired' | 'disabled' | 'pending_activation';

/** How an order relates to the subscription its line carries (IPN_LICENSE_TYPE). */
export type SubscriptionOrderKind = 'new' | 'renewal' | 'upgrade';

/** A subscription (one per license reference) as it stands after the change an event reports. */
export interface SubscriptionSnapshot {
  licenseRef: string;
  productId: string | null;
  productName: string | null;
  status: SubscriptionStatus;
  /** As the platform sent it (IPN_LICENSE_EXP or EXPIRATION_DATE, the newest-dated wins; an empty EXPIRATION_DATE changes none). */
  expiresAt: string | null;
  cancelAtPeriodEnd: boolean;
  gracePeriodDays: number | null;
  nextRenewalDate: string | null;
  nextRenewalPrice: string | null;
  email: string | null;
  /** STATUS and DISABLED of the newest LCN carrying each, as sent. */
  licenseStatus: string | null;
  disabled: boolean;
  /** LICENSE_TYPE of the newest LCN carrying it (REGULAR, TRIAL, ...). */
  licenseType: string | null;
  test: boolean;
}

export interface SubscriptionChange {
  subscription: SubscriptionSnapshot;
  /** The order that caused the change (a renewal, an upgrade), null for an LCN. */
  refNo: string | null;
}

/** The first order carrying the license was paid: the subscription exists. */
export class SubscriptionStartedEvent extends DomainEventBase<'subscription.started', SubscriptionChange> {
  static readonly NAME = 'subscription.started';
  static readonly VERSION = 1;
}

/** A renewal order was paid: the subscription runs until its new expiry. */
export class SubscriptionRenewedEvent extends DomainEventBase<'subscription.renewed', SubscriptionChange> {
  static readonly NAME = 'subscription.renewed';
  static readonly VERSION = 1;
}

/** An upgrade order was paid: the subscription moved to `subscription.productId`. */
export class SubscriptionUpgradedEvent extends DomainEventBase<'subscription.upgraded', SubscriptionChange> {
  static readonly NAME = 'subscription.upgraded';
  static readonly VERSION = 1;
}

/** The renewal payment failed (LICENCE_PASTDUE): access is kept through the grace period. */
export class SubscriptionPastDueEvent extends DomainEventBase<'subscription.past_due', SubscriptionChange> {
  static readonly NAME = 'subscription.past_due';
  static readonly VERSION = 1;
}

/** The subscription ended (expired after its grace period, or canceled at period end): access ended. */
export class SubscriptionExpiredEvent extends DomainEventBase<'subscription.expired', SubscriptionChange> {
  static readonly NAME = 'subscription.expired';
  static readonly VERSION = 1;
}

/** A cancellation at period end was scheduled: access continues until `expiresAt`. */
export class SubscriptionCanceledEvent extends DomainEventBase<'subscription.canceled', SubscriptionChange> {
  static readonly NAME = 'subscription.canceled';
  static readonly VERSION = 1;
}

/** A scheduled cancellation was reverted, or a disabled or pending subscription became active again. */
export class SubscriptionReactivatedEvent extends DomainEventBase<'subscription.reactivated', SubscriptionChange> {
  static readonly NAME = 'subscription.reactivated';
  static readonly VERSION = 1;
}

/** The subscription was disabled (DISABLED=1): access is suspended. */
export class SubscriptionSuspendedEvent extends DomainEventBase<'subscription.suspended', SubscriptionChange> {
  static readonly NAME = 'subscription.suspended';
  static readonly VERSION = 1;
}

/**
 * The grace period after a subscription's expiry ran out without a renewal (raised by the clock, not
 * by the platform, which sends no LCN then): the subscription expires and its access ends.
 */
export class SubscriptionGraceElapsedEvent extends DomainEventBase<
  'subscription.grace_elapsed',
  { licenseRef: string; graceEndedAt: string }
> {
  static readonly NAME = 'subscription.grace_elapsed';
  static readonly VERSION = 1;
}

/** What one License Change Notification says. */
export interface LicenseChange {
  licenseCode: string;
  expirationDate: string | null;
  status: string | null;
  disabled: boolean;
  licenseType: string | null;
  changedBy: string | null;
  dispatchReason: string | null;
  email: string | null;
  dateUpdated: string | null;
  gracePeriodDays: number | null;
  nextRenewalDate: string | null;
  nextRenewalPrice: string | null;
}

/** A License Change Notification was merged (one that is the newest to carry none of its fields raises none); `subscription` is the result. */
export class LicenseChangedEvent extends DomainEventBase<'license.changed', LicenseChange & { subscription: SubscriptionSnapshot }> {
  static readonly NAME = 'license.changed';
  static readonly VERSION = 1;
}

/** Every event that reports a subscription's new state: what fulfilment follows. */
export const SUBSCRIPTION_STATE_EVENTS = [
  LicenseChangedEvent,
  SubscriptionStartedEvent,
  SubscriptionRenewedEvent,
  SubscriptionUpgradedEvent,
  // Also raised by the clock when a grace period runs out (no LCN then).
  SubscriptionExpiredEvent,
] as const;
