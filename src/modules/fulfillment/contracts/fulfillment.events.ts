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

/**
 * Access was granted to entitlements (a line's first grant, or a grant again after a reversal was
 * retried, a dispute won, a fraud review approved, an ended subscription renewed). A renewal of access
 * that is still granted raises none: the entitlement is extended, not granted twice.
 */
export class FulfillmentGrantedEvent extends DomainEventBase<'fulfillment.granted', FulfillmentChange> {
  static readonly NAME = 'fulfillment.granted';
  static readonly VERSION = 1;
}

/**
 * Access was withdrawn: revoked (refund, reversal, cancellation, lost dispute, DENIED), held (dispute
 * opened, fraud under review, subscription suspended) or expired; `reason` names the event that says why.
 */
export class FulfillmentRevokedEvent extends DomainEventBase<'fulfillment.revoked', FulfillmentChange & { reason: string }> {
  static readonly NAME = 'fulfillment.revoked';
  static readonly VERSION = 1;
}
