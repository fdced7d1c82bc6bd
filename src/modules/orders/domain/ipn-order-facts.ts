import type { FormBody } from '../../ipn';
import type { CustomerDetails, OrderItemDetails } from '../contracts/order-snapshot';

/** What one IPN says about its order, read from the form fields (arrays: index i is product i). */
export interface IpnOrderFacts {
  refNo: string;
  status: string;
  fraudStatus: string | null;
  currency: string | null;
  ipnDate: string | null;
  customer: CustomerDetails;
  items: OrderItemDetails[];
}

export function readOrderFacts(form: FormBody): IpnOrderFacts | null {
  const refNo = form.first('REFNO');
  const status = form.first('ORDERSTATUS');
  if (!refNo || !status) return null;
  const text = (name: string): string | null => form.first(name) || null;
  const column = (name: string): string[] => form.list(name);
  const ids = column('IPN_PID');
  const [codes, names, quantities, prices, licenseRefs, licenseTypes, licenseExpiries, delivered] = [
    'IPN_PCODE', 'IPN_PNAME', 'IPN_QTY', 'IPN_PRICE', 'IPN_LICENSE_REF', 'IPN_LICENSE_TYPE', 'IPN_LICENSE_EXP',
    'IPN_DELIVEREDCODES',
  ].map(column);
  return {
    refNo,
    status,
    fraudStatus: text('FRAUD_STATUS'),
    currency: text('CURRENCY'),
    ipnDate: text('IPN_DATE'),
    customer: {
      email: form.first('CUSTOMEREMAIL')?.trim().toLowerCase() || null,
      firstName: text('FIRSTNAME'),
      lastName: text('LASTNAME'),
      company: text('COMPANY'),
      country: text('COUNTRY'),
      countryCode: text('COUNTRY_CODE'),
      language: text('LANGUAGE'),
      avangateCustomerReference: text('AVANGATE_CUSTOMER_REFERENCE'),
      externalCustomerReference: text('EXTERNAL_CUSTOMER_REFERENCE'),
    },
    items: ids.map((productId, i) => ({
      lineNo: i + 1,
      productId,
      productCode: codes[i] || null,
      name: names[i] ?? '',
      quantity: Number.parseInt(quantities[i] ?? '1', 10) || 1,
      price: prices[i] || null,
      licenseRef: licenseRefs[i] || null,
      licenseType: licenseTypes[i] || null,
      licenseExpiresAt: licenseExpiries[i] || null,
      deliveredCodes: delivered[i] ? [delivered[i]] : [],
    })),
  };
}
