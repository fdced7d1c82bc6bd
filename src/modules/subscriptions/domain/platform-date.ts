/** Platform dates: 2Checkout's "2026-11-24 10:25:40" (an LCN's) or YmdHis (an IPN's IPN_DATE), read as UTC. */

/** The YmdHis of a message whose date cannot be read: earlier than any other. */
export const NO_DATE = '00000000000000';

/** A platform date as YmdHis, comparable as text; unreadable: NO_DATE. */
export function platformDate(text: string | null): string {
  const digits = text?.replace(/\D/g, '') ?? '';
  if (/^\d{8}$/.test(digits)) return `${digits}000000`;
  return /^\d{14}$/.test(digits) ? digits : NO_DATE;
}

/** Milliseconds of a platform date ("2026-11-24 10:25:40", or a day alone), or null. */
export function dateOf(text: string | null): number | null {
  const match = text && /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = match;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

/** Milliseconds of a YmdHis, or null for NO_DATE. */
export function msOfYmdHis(ymdHis: string): number | null {
  if (ymdHis === NO_DATE || !/^\d{14}$/.test(ymdHis)) return null;
  return dateOf(
    `${ymdHis.slice(0, 4)}-${ymdHis.slice(4, 6)}-${ymdHis.slice(6, 8)} ${ymdHis.slice(8, 10)}:${ymdHis.slice(10, 12)}:${ymdHis.slice(12)}`,
  );
}

/** The YmdHis of a time (ms, UTC), to the second. */
export function ymdHisOf(ms: number): string {
  return new Date(ms).toISOString().replace(/\D/g, '').slice(0, 14);
}
