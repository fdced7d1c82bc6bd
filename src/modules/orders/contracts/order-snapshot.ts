/** The order as it stands after the change an event reports: consumers need no read-back. */
export interface OrderSnapshot {
  refNo: string;
  /** The effective ORDERSTATUS (null while only unknown statuses were received). */
  status: string | null;
  /** The ORDERSTATUS of the notification that caused the event. */
  notifiedStatus: string;
  fraudStatus: string | null;
  currency: string | null;
  customer: CustomerDetails;
  items: OrderItemDetails[];
  /**
   * Reached at least once (each milestone is one event). `refunded`: everything is refunded now (a
   * purchase arriving after its refunds, or a recompute, can show it was not: order.reinstated).
   */
  milestones: {
    placed: boolean;
    paymentAuthorized: boolean;
    completed: boolean;
    canceled: boolean;
    /** A REVERSED was received; whether it still stands is `paymentReversed`. */
    reversed: boolean;
    refunded: boolean;
  };
  /** The newest payment step is a REVERSED: provisional access is taken away until a newer authorization. */
  paymentReversed: boolean;
  /** Every refund so far, partial ones included, oldest first. */
  refunds: RefundView[];
  /** Lines refunded so far: every line once the order is fully refunded. */
  refundedLines: number[];
  /** The dispute opened by a chargeback, if any. */
  chargeback: ChargebackView | null;
  /** IPN_DATE (YmdHis) of the newest notification: orders it against License Change Notifications. */
  ipnDate: string | null;
}

export interface RefundView {
  /** Decimal string, e.g. "10.00". */
  amount: string;
  currency: string | null;
  /** Lines refunded: those sent with a negative price; none for a refund of an amount only. */
  lines: number[];
  /** When the refund notification arrived (ISO). */
  at: string;
}

export type DisputeState = 'open' | 'won' | 'lost';

export interface ChargebackView {
  reasonCode: string | null;
  /** CHARGEBACK_RESOLUTION as last sent. */
  resolution: string;
  openedAt: string;
  /** When a WON, LOST or ACCEPTED resolution arrived; null while open. */
  closedAt: string | null;
  state: DisputeState;
}

export interface CustomerDetails {
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  country: string | null;
  countryCode: string | null;
  language: string | null;
  avangateCustomerReference: string | null;
  externalCustomerReference: string | null;
}

export interface OrderItemDetails {
  lineNo: number;
  productId: string;
  productCode: string | null;
  name: string;
  quantity: number;
  price: string | null;
  licenseRef: string | null;
  licenseType: string | null;
  licenseExpiresAt: string | null;
  deliveredCodes: string[];
}
