/**
 * Amounts as whole thousandths of the currency unit, so that sums of 2Checkout's decimal strings are
 * exact (binary floats would drift) and every currency fits, three-decimal ones included.
 */
export type Thousandths = number;

/** A decimal string ("49.00", "-10.5") as thousandths; null when it is not a number. */
export function parseAmount(text: string | null | undefined): Thousandths | null {
  const trimmed = text?.trim();
  if (!trimmed || !/^-?\d+(\.\d+)?$/.test(trimmed)) return null;
  return Math.round(Number(trimmed) * 1000);
}

/** Thousandths as a decimal string with two decimals, or three when the third is not zero. */
export function formatAmount(amount: Thousandths): string {
  const text = (amount / 1000).toFixed(3);
  return text.endsWith('0') ? text.slice(0, -1) : text;
}
