/**
 * Milliseconds a `Retry-After` header asks to wait: whole seconds, or an HTTP date (RFC 9110 §10.2.3);
 * undefined when absent or unreadable, 0 for a date in the past; at most `capMs`.
 */
export function retryAfterMs(header: string | undefined, now: number, capMs: number): number | undefined {
  const text = header?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, capMs);
  const at = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - now), capMs);
}
