import type { FormBody } from '../../ipn';
import type { CustomerDetails, OrderItemDetails } from '../contracts/order-snapshot';
import { ChargebackFacts, opensDispute } from './chargeback';
import { parseAmount } from './money';
import type { OrderStep } from './order-status';
import { RefundFacts, basisOf } from './refunds';

/** What one IPN says about its order, read from the form fields (arrays: index i is product i). */
export interface IpnOrderFacts {
  refNo: string;
  status: string;
  fraudStatus: string | null;
  currency: string | null;
  ipnDate: string | null;
  customer: CustomerDetails;
  items: OrderItemDetails[];
  /** What a REFUND refunds (null for any other status). */
  refund: RefundFacts | null;
  /** Set when CHARGEBACK_RESOLUTION is sent and is not NONE. */
  chargeback: ChargebackFacts | null;
}

/**
 * Bounds on what an order can hold; a notification beyond them is dead-lettered at once, named and
 * explained. Values that reach an index downstream are bounded in bytes, well within a B-tree entry
 * (about 2,700 bytes): the e-mail (accounts, messages and subscriptions are found by it; 254 is RFC
 * 5321's longest address) and a line's license reference (entitlements and subscriptions are keyed by it).
 */
export const ORDER_LIMITS = {
  refNo: 64,
  status: 64,
  lines: 10_000,
  text: 1_000,
  quantity: 2_147_483_647,
  emailBytes: 254,
  licenseRefBytes: 255,
} as const;

/** Reading an IPN's facts failed: why, in words an operator can act on. */
export class OrderFactsProblem {
  constructor(readonly reason: string) {}
}

/**
 * What the IPN says about its order; null when it names no order (no REFNO or ORDERSTATUS: it stays
 * stored, nothing to apply); a problem when a value is beyond what an order can hold.
 */
export function readOrderFacts(form: FormBody): IpnOrderFacts | OrderFactsProblem | null {
  const refNo = form.first('REFNO');
  const status = form.first('ORDERSTATUS');
  if (!refNo || !status) return null;
  const facts = readFacts(form, refNo, status);
  const problem = problemOf(facts);
  return problem ? new OrderFactsProblem(problem) : facts;
}

function problemOf(facts: IpnOrderFacts): string | null {
  if (facts.refNo.length > ORDER_LIMITS.refNo) return `REFNO is ${facts.refNo.length} characters long (at most ${ORDER_LIMITS.refNo})`;
  const email = facts.customer.email;
  if (email !== null && Buffer.byteLength(email, 'utf8') > ORDER_LIMITS.emailBytes) {
    return `CUSTOMEREMAIL is ${Buffer.byteLength(email, 'utf8')} bytes long (at most ${ORDER_LIMITS.emailBytes}, RFC 5321)`;
  }
  if (facts.status.length > ORDER_LIMITS.status)
    return `ORDERSTATUS is ${facts.status.length} characters long (at most ${ORDER_LIMITS.status})`;
  if (facts.items.length > ORDER_LIMITS.lines) return `the order has ${facts.items.length} lines (at most ${ORDER_LIMITS.lines})`;
  for (const [name, value] of [
    ['CHARGEBACK_RESOLUTION', facts.chargeback?.resolution],
    ['CHARGEBACK_REASON_CODE', facts.chargeback?.reasonCode],
  ]) {
    if (value && value.length > ORDER_LIMITS.text) return `${name} is ${value.length} characters long (at most ${ORDER_LIMITS.text})`;
  }
  for (const item of facts.items) {
    if (!Number.isSafeInteger(item.quantity) || item.quantity < 1 || item.quantity > ORDER_LIMITS.quantity) {
      return `IPN_QTY of line ${item.lineNo} is ${item.quantity} (a whole number from 1 to ${ORDER_LIMITS.quantity} is expected)`;
    }
    for (const [name, value] of Object.entries(item)) {
      if (typeof value === 'string' && value.length > ORDER_LIMITS.text) {
        return `${name} of line ${item.lineNo} is ${value.length} characters long (at most ${ORDER_LIMITS.text})`;
      }
    }
    const refBytes = item.licenseRef === null ? 0 : Buffer.byteLength(item.licenseRef, 'utf8');
    if (refBytes > ORDER_LIMITS.licenseRefBytes) {
      return `IPN_LICENSE_REF of line ${item.lineNo} is ${refBytes} bytes long (at most ${ORDER_LIMITS.licenseRefBytes})`;
    }
  }
  return null;
}

/** The notification as a step of its order (see domain/order-status). */
export function stepOf(facts: IpnOrderFacts, notification: { key: string; identity: string; at: string }): OrderStep {
  const { status, fraudStatus, refund, chargeback } = facts;
  return { ...notification, status, fraudStatus, refund, chargeback, basis: basisOf(facts.items, refund !== null) };
}

function readFacts(form: FormBody, refNo: string, status: string): IpnOrderFacts {
  const text = (name: string): string | null => form.first(name) || null;
  const column = (name: string): string[] => form.list(name);
  const ids = column('IPN_PID');
  const [codes, names, quantities, prices, licenseRefs, licenseTypes, licenseExpiries, delivered] = [
    'IPN_PCODE',
    'IPN_PNAME',
    'IPN_QTY',
    'IPN_PRICE',
    'IPN_LICENSE_REF',
    'IPN_LICENSE_TYPE',
    'IPN_LICENSE_EXP',
    'IPN_DELIVEREDCODES',
  ].map(column);
  const resolution = form.first('CHARGEBACK_RESOLUTION')?.trim() ?? null;
  const items = ids.map((productId, i) => ({
    lineNo: i + 1,
    productId,
    productCode: codes[i] || null,
    name: names[i] ?? '',
    quantity: quantities[i] ? Number(quantities[i]) : 1,
    price: prices[i] || null,
    licenseRef: licenseRefs[i] || null,
    licenseType: licenseTypes[i] || null,
    licenseExpiresAt: licenseExpiries[i] || null,
    deliveredCodes: delivered[i] ? [delivered[i]] : [],
  }));
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
    items,
    refund: status === 'REFUND' ? refundFacts(items, text('IPN_TOTALGENERAL'), text('CURRENCY')) : null,
    chargeback: opensDispute(resolution) ? { resolution, reasonCode: text('CHARGEBACK_REASON_CODE') } : null,
  };
}

/**
 * A REFUND's lines: negative IPN_PRICE values are the refunded amounts (PROTOCOL.md §12); a line at
 * 0.00 or at its price is not refunded. The order's lines and total are its purchase's, not these.
 */
function refundFacts(items: readonly OrderItemDetails[], total: string | null, currency: string | null): RefundFacts {
  const lines = items.map((item) => ({ lineNo: item.lineNo, amount: (parseAmount(item.price) ?? 0) * item.quantity }));
  const sent = parseAmount(total);
  return {
    refundedLines: lines.filter((line) => line.amount < 0).map((line) => ({ lineNo: line.lineNo, amount: -line.amount })),
    total: sent === null ? null : Math.abs(sent),
    currency,
  };
}
