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
  milestones: {
    placed: boolean;
    paymentAuthorized: boolean;
    completed: boolean;
    canceled: boolean;
    reversed: boolean;
    refunded: boolean;
  };
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
