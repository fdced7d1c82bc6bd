import { FormBody, SignatureAlgorithm, receiptDate, signatures } from '../modules/ipn/protocol';

export interface SampleProduct {
  id: string;
  code: string;
  name: string;
  quantity: number;
  price: string;
  licenseRef: string;
}

export interface SampleOrder {
  refNo: string;
  status: string;
  email: string;
  test: boolean;
  products: SampleProduct[];
  /** Distinguishes two sendings of the same order event. */
  messageId: string;
  ipnDate: string;
  fraudStatus?: string;
  firstName?: string;
  lastName?: string;
}

export const DEFAULT_PRODUCTS: SampleProduct[] = [
  { id: '40898000', code: 'SW-PRO', name: 'Software program', quantity: 1, price: '49.00', licenseRef: 'LIC-A' },
  { id: '40898001', code: 'SUP-1Y', name: 'Support add-on — 1 year', quantity: 2, price: '10.00', licenseRef: 'LIC-B' },
];

/** A realistic IPN in the field order 2Checkout sends (the shape of the shared vectors), unsigned. */
export function sampleIpn(order: SampleOrder): FormBody {
  const products = order.products;
  const each = (pick: (product: SampleProduct) => string): string[] => products.map(pick);
  const total = products.reduce((sum, product) => sum + Number(product.price) * product.quantity, 0).toFixed(2);
  return FormBody.fromPairs([
    ['GIFT_ORDER', '0'],
    ['SALEDATE', '2026-11-24 10:25:11'],
    ['PAYMENTDATE', '2026-11-24 10:25:40'],
    ['REFNO', order.refNo],
    ['REFNOEXT', `EXT-${order.refNo}`],
    ['SHOPPER_REFERENCE_NUMBER', ''],
    ['ORDERNO', order.refNo.slice(-6)],
    ['ORDERSTATUS', order.status],
    ['PAYMETHOD', 'Visa/MasterCard'],
    ['PAYMETHOD_CODE', 'CCVISAMC'],
    ['FIRSTNAME', order.firstName ?? 'Zoë'],
    ['LASTNAME', order.lastName ?? "O'Brien"],
    ['COMPANY', 'Acme Ltd.'],
    ['ADDRESS1', '101 Main Street'],
    ['ADDRESS2', ''],
    ['CITY', 'New York'],
    ['STATE', 'New York'],
    ['ZIPCODE', '10001'],
    ['COUNTRY', 'United States of America'],
    ['COUNTRY_CODE', 'us'],
    ['PHONE', '951-121-2121'],
    ['CUSTOMEREMAIL', order.email],
    ['CURRENCY', 'USD'],
    ['LANGUAGE', 'en'],
    ['ORDERFLOW', 'REGULAR'],
    ['IPN_PID', each((product) => product.id)],
    ['IPN_PNAME', each((product) => product.name)],
    ['IPN_PCODE', each((product) => product.code)],
    ['IPN_EXTERNAL_REFERENCE', each(() => '')],
    ['IPN_INFO', each(() => '')],
    ['IPN_QTY', each((product) => String(product.quantity))],
    ['IPN_PRICE', each((product) => product.price)],
    ['IPN_VAT', each(() => '0.00')],
    ['IPN_VAT_RATE', each(() => '0.00')],
    ['IPN_VER', each(() => '1')],
    ['IPN_DISCOUNT', each(() => '0.00')],
    ['IPN_PROMONAME', each(() => '')],
    ['IPN_ORDER_COSTS', each(() => '0')],
    ['IPN_PARTNER_CODE', ''],
    ['MESSAGE_ID', order.messageId],
    ['MESSAGE_TYPE', order.status],
    ['IPN_LICENSE_PROD', each((product) => product.id)],
    ['IPN_LICENSE_TYPE', each(() => 'REGULAR')],
    ['IPN_LICENSE_REF', each((product) => product.licenseRef)],
    ['IPN_LICENSE_EXP', each(() => '2027-11-24 10:25:40')],
    ['IPN_DELIVEREDCODES', each(() => '')],
    ['IPN_DOWNLOAD_LINK', ''],
    ['IPN_TOTAL', each((product) => (Number(product.price) * product.quantity).toFixed(2))],
    ['IPN_TOTALGENERAL', total],
    ['IPN_SHIPPING', '0.00'],
    ['IPN_COMMISSION', '2.4500'],
    ['TEST_ORDER', order.test ? '1' : '0'],
    ['FRAUD_STATUS', order.fraudStatus ?? 'APPROVED'],
    ['IPN_DATE', order.ipnDate],
  ]);
}

/** A License Change Notification in the order of 2Checkout's documentation. */
export function sampleLcn(licenseCode: string, expirationDate: string, status = 'ACTIVE'): FormBody {
  return FormBody.fromPairs([
    ['FIRST_NAME', 'Zoë'],
    ['LAST_NAME', "O'Brien"],
    ['EMAIL', 'zoe@example.com'],
    ['COUNTRY', 'United States of America'],
    ['LICENSE_CODE', licenseCode],
    ['EXPIRATION_DATE', expirationDate],
    ['DATE_UPDATED', '2026-11-24 10:25:40'],
    ['TEST', '1'],
    ['CHANGED_BY', 'SYSTEM'],
    ['LICENSE_TYPE', 'REGULAR'],
    ['DISABLED', status === 'DISABLED' ? '1' : '0'],
    ['RECURRING', '1'],
    ['STATUS', status],
    ['DISPATCH_REASON', 'LICENCE_CHANGE'],
  ]);
}

/** The form as 2Checkout would send it: signature fields for `algorithms` appended last. */
export function signForm(form: FormBody, algorithms: readonly SignatureAlgorithm[], key: string): string {
  return form.with(signatures(form, algorithms, Buffer.from(key, 'utf8'))).encode();
}

export function nowIpnDate(): string {
  return receiptDate(new Date());
}
