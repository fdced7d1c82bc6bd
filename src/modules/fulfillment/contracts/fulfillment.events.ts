import { DomainEventBase } from '../../../core/events';

export interface EntitlementDetails {
  entitlementId: string;
  lineNo: number;
  productId: string;
  productName: string;
  quantity: number;
  licenseRef: string | null;
  licenseExpiresAt: string | null;
  deliveredCodes: string[];
}

export interface FulfillmentChange {
  refNo: string;
  customerEmail: string | null;
  entitlements: EntitlementDetails[];
}

/** Access was granted for an order's lines (once per line, ever). */
export class FulfillmentGrantedEvent extends DomainEventBase<'fulfillment.granted', FulfillmentChange> {
  static readonly NAME = 'fulfillment.granted';
  static readonly VERSION = 1;
}

/** Access was withdrawn (refund, reversal or cancellation). */
export class FulfillmentRevokedEvent extends DomainEventBase<'fulfillment.revoked', FulfillmentChange & { reason: string }> {
  static readonly NAME = 'fulfillment.revoked';
  static readonly VERSION = 1;
}

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
}

/** A License Change Notification (LCN) changed a subscription: expiry, status, disabled. */
export class LicenseChangedEvent extends DomainEventBase<'license.changed', LicenseChange> {
  static readonly NAME = 'license.changed';
  static readonly VERSION = 1;
}
