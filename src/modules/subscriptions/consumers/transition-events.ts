import type { EventContract } from '../../../core/events';
import {
  SubscriptionCanceledEvent,
  SubscriptionChange,
  SubscriptionExpiredEvent,
  SubscriptionPastDueEvent,
  SubscriptionReactivatedEvent,
  SubscriptionRenewedEvent,
  SubscriptionStartedEvent,
  SubscriptionSuspendedEvent,
  SubscriptionUpgradedEvent,
} from '../contracts/subscription.events';
import type { SubscriptionTransition } from '../domain/subscription-state';

export const TRANSITION_EVENTS: Record<SubscriptionTransition, EventContract<string, SubscriptionChange>> = {
  started: SubscriptionStartedEvent,
  renewed: SubscriptionRenewedEvent,
  upgraded: SubscriptionUpgradedEvent,
  past_due: SubscriptionPastDueEvent,
  expired: SubscriptionExpiredEvent,
  canceled: SubscriptionCanceledEvent,
  reactivated: SubscriptionReactivatedEvent,
  suspended: SubscriptionSuspendedEvent,
};
