import type { SubscriptionSnapshot } from '../contracts/subscription.events';
import { SubscriptionState, statusShown } from './subscription-state';

export function snapshotOf(state: SubscriptionState): SubscriptionSnapshot {
  return {
    licenseRef: state.licenseRef,
    productId: state.productId,
    productName: state.productName,
    status: statusShown(state),
    expiresAt: state.expiresAt,
    cancelAtPeriodEnd: state.cancelAtPeriodEnd,
    gracePeriodDays: state.gracePeriodDays,
    nextRenewalDate: state.nextRenewalDate,
    nextRenewalPrice: state.nextRenewalPrice,
    email: state.email,
    licenseStatus: state.licenseStatus,
    disabled: state.disabled,
    licenseType: state.licenseType,
    test: state.test,
  };
}
