import type { OrderItemDetails, RefundView } from '../contracts/order-snapshot';
import { Thousandths, formatAmount, parseAmount } from './money';

/** What one REFUND notification says, read from its lines (see ipn-order-facts). */
export interface RefundFacts {
  /**
   * Lines whose IPN_PRICE is negative: the refunded ones, each with |IPN_PRICE| x IPN_QTY (PROTOCOL.md
   * §12: refunded amounts arrive negative). A line sent at 0.00 or at its price is not refunded.
   */
  refundedLines: Array<{ lineNo: number; amount: Thousandths }>;
  /** |IPN_TOTALGENERAL|, when sent: the amount refunded when no line is. */
  total: Thousandths | null;
  currency: string | null;
}

/**
 * What refunds are measured against: the order's lines and total as its newest purchase notification
 * (any notification but a REFUND) gives them. Until one arrives, the lines of the newest REFUND, with no
 * total: a refund's prices are refunds (negative), zeros or prices, never the order's total.
 */
export interface OrderBasis {
  lines: number[];
  /** Sum of |IPN_PRICE| x IPN_QTY over the purchase's lines; null while only REFUNDs were seen. */
  total: Thousandths | null;
}

/**
 * One refund as the order keeps it, keyed by the notification's identity (the SHA-256 of its signature
 * source): 2Checkout allows several partial refunds per order, each a notification of its own
 * (PROTOCOL.md §12), so two refunds of one amount are two refunds; one refund delivered twice (to two
 * listeners of the account, retried with another key, replayed with renamed fields) is one.
 */
export interface RefundRecord {
  /** The notification's identity (hex). */
  key: string;
  /** Its step key (IPN_DATE, arrival, id): orders the refunds; of two deliveries, the earliest's. */
  step: string;
  /** When the notification arrived (ISO). */
  at: string;
  currency: string | null;
  amount: Thousandths;
  /** Lines refunded: the negative ones; none for a refund of an amount. */
  lines: number[];
  /** A REFUND naming neither a line nor an amount (no negative price, no IPN_TOTALGENERAL): the whole order. */
  full: boolean;
}

/** The lines and total of `items`; `fromRefund`: a REFUND's lines, whose prices are not the order's. */
export function basisOf(items: readonly OrderItemDetails[], fromRefund: boolean): OrderBasis {
  return {
    lines: items.map((item) => item.lineNo),
    total: fromRefund ? null : sum(items.map((item) => Math.abs(parseAmount(item.price) ?? 0) * item.quantity)),
  };
}

/**
 * Negative prices refund those lines; no negative price refunds IPN_TOTALGENERAL, an amount (with or
 * without the order's lines known); a REFUND naming neither refunds the whole order.
 */
export function refundRecord(key: string, step: string, at: string, facts: RefundFacts): RefundRecord {
  const common = { key, step, at, currency: facts.currency };
  if (facts.refundedLines.length > 0) {
    const lines = facts.refundedLines.map((line) => line.lineNo);
    return { ...common, lines, amount: sum(facts.refundedLines.map((line) => line.amount)), full: false };
  }
  if (facts.total !== null) return { ...common, lines: [], amount: facts.total, full: false };
  return { ...common, lines: [], amount: 0, full: true };
}

/**
 * The refunds with `record` added once per identity (of two deliveries the earliest), sorted by step:
 * a set, so the merge stays commutative.
 */
export function withRefund(records: readonly RefundRecord[], record: RefundRecord): RefundRecord[] {
  const same = records.find((existing) => existing.key === record.key);
  if (same && same.step <= record.step) return [...records];
  return [...records.filter((existing) => existing !== same), record].sort((a, b) => (a.step < b.step ? -1 : 1));
}

/**
 * Everything is refunded: a refund of the whole order, or refunds that together cover every line of
 * the order, or reach its total. A function of the refunds and the basis (never accumulated), so it is
 * the same whatever the order in which they arrived, a purchase arriving after its refunds included.
 */
export function isFullyRefunded(records: readonly RefundRecord[], basis: OrderBasis): boolean {
  if (records.length === 0) return false;
  const lines = new Set(records.flatMap((record) => record.lines));
  return (
    records.some((record) => record.full) ||
    (basis.lines.length > 0 && basis.lines.every((lineNo) => lines.has(lineNo))) ||
    (basis.total !== null && basis.total > 0 && sum(records.map((record) => record.amount)) >= basis.total)
  );
}

/** The refunded lines: every line of the order once it is fully refunded. */
export function refundedLines(records: readonly RefundRecord[], basis: OrderBasis): number[] {
  const lines = records.flatMap((record) => record.lines);
  if (isFullyRefunded(records, basis)) lines.push(...basis.lines);
  return [...new Set(lines)].sort((a, b) => a - b);
}

/** A refund as the read API and events show it; a refund of the whole order shows the order's total. */
export function refundView(record: RefundRecord, basis: OrderBasis): RefundView {
  const amount = record.full ? (basis.total ?? record.amount) : record.amount;
  return { amount: formatAmount(amount), currency: record.currency, lines: record.lines, at: record.at };
}

function sum(amounts: readonly Thousandths[]): Thousandths {
  return amounts.reduce((total, amount) => total + amount, 0);
}
