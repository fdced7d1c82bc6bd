import type { RefundView } from '../contracts/order-snapshot';
import { Thousandths, formatAmount } from './money';

/** What one REFUND notification says, read from its lines (see ipn-order-facts). */
export interface RefundFacts {
  /** Lines whose IPN_PRICE is negative: the refunded ones, each with |IPN_PRICE| x IPN_QTY. */
  refundedLines: Array<{ lineNo: number; amount: Thousandths }>;
  /** Every line number the notification carries. */
  lineNos: number[];
  /** Sum of |IPN_PRICE| x IPN_QTY over every line: the order's total. */
  lineTotal: Thousandths;
  /** |IPN_TOTALGENERAL|, when sent. */
  total: Thousandths | null;
  currency: string | null;
}

/**
 * One refund as the order keeps it, keyed by the notification's step: 2Checkout allows several partial
 * refunds per order, each a notification of its own (PROTOCOL.md §12), so two refunds with the same
 * content are two refunds; a re-delivery of one body is stored once by the inbox.
 */
export interface RefundRecord {
  key: string;
  /** When the notification arrived (ISO). */
  at: string;
  currency: string | null;
  amount: Thousandths;
  /** Lines refunded: all of them for a full refund, none for a refund of an amount only. */
  lines: number[];
  orderLines: number[];
  orderTotal: Thousandths;
  full: boolean;
}

/**
 * Negative prices on some lines refund those lines; no negative price and a total below the lines'
 * refunds that amount only; anything else refunds the whole order (the REFUND of a one-shot purchase).
 */
export function refundRecord(key: string, at: string, facts: RefundFacts): RefundRecord {
  const common = { key, at, currency: facts.currency, orderLines: facts.lineNos, orderTotal: facts.lineTotal };
  if (facts.refundedLines.length > 0) {
    const lines = facts.refundedLines.map((line) => line.lineNo);
    const amount = sum(facts.refundedLines.map((line) => line.amount));
    return { ...common, lines, amount, full: facts.lineNos.every((lineNo) => lines.includes(lineNo)) };
  }
  if (facts.total !== null && facts.total < facts.lineTotal) return { ...common, lines: [], amount: facts.total, full: false };
  return { ...common, lines: facts.lineNos, amount: facts.total ?? facts.lineTotal, full: true };
}

/** The refunds with `record` added once (a set keyed by step, sorted: the merge stays commutative). */
export function withRefund(records: readonly RefundRecord[], record: RefundRecord): RefundRecord[] {
  if (records.some((existing) => existing.key === record.key)) return [...records];
  return [...records, record].sort((a, b) => (a.key < b.key ? -1 : 1));
}

/**
 * Everything is refunded: a full refund, or refunds that together cover every line of the order, or
 * its total. Adding a refund never undoes it, so it is reached once, whatever the arrival order.
 */
export function isFullyRefunded(records: readonly RefundRecord[]): boolean {
  const lines = new Set(records.flatMap((record) => record.lines));
  const refunded = sum(records.map((record) => record.amount));
  return records.some(
    (record) =>
      record.full ||
      (record.orderLines.length > 0 && record.orderLines.every((lineNo) => lines.has(lineNo))) ||
      (record.orderTotal > 0 && refunded >= record.orderTotal),
  );
}

/** The refunded lines: every line once the order is fully refunded. */
export function refundedLines(records: readonly RefundRecord[]): number[] {
  const pick = isFullyRefunded(records)
    ? (record: RefundRecord) => [...record.orderLines, ...record.lines]
    : (record: RefundRecord) => record.lines;
  return [...new Set(records.flatMap(pick))].sort((a, b) => a - b);
}

export function refundView(record: RefundRecord): RefundView {
  return { amount: formatAmount(record.amount), currency: record.currency, lines: record.lines, at: record.at };
}

function sum(amounts: readonly Thousandths[]): Thousandths {
  return amounts.reduce((total, amount) => total + amount, 0);
}
