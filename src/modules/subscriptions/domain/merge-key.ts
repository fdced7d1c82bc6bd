import { platformDate, ymdHisOf } from './platform-date';

/**
 * Every message a subscription is merged from has a key, compared as text: its platform date (YmdHis),
 * then its kind (a paid order 0, an LCN 1, the clock 2: at the same second an LCN outranks an order),
 * then its identity (REFNO; an LCN's content hash), so that no two messages tie and the newest is the
 * same whatever arrived first.
 */
export type MergeKey = string;

export const orderKey = (ipnDate: string | null, refNo: string): MergeKey => `${platformDate(ipnDate)}.0.${refNo}`;

export const lcnKey = (dateUpdated: string | null, identity: string): MergeKey => `${platformDate(dateUpdated)}.1.${identity}`;

export const clockKey = (ms: number): MergeKey => `${ymdHisOf(ms)}.2`;

/** The YmdHis a key is dated. */
export const dateOfKey = (key: MergeKey): string => key.slice(0, 14);

/** A field's value and the key of the message that carried it. */
export interface Carried<T> {
  value: T;
  key: MergeKey;
}

/** `current`, unless the message keyed `key` is newer: then its `value`. (The same message again changes nothing.) */
export function newer<T>(current: Carried<T> | undefined, key: MergeKey, value: T): Carried<T> {
  return current !== undefined && current.key >= key ? current : { value, key };
}

/** The newest of these (by key), if any. */
export function newest<T>(...candidates: Array<Carried<T> | undefined>): Carried<T> | undefined {
  let found: Carried<T> | undefined;
  for (const candidate of candidates) if (candidate !== undefined && (found === undefined || candidate.key > found.key)) found = candidate;
  return found;
}
