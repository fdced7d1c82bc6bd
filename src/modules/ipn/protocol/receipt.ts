import { SignatureAlgorithm } from './algorithm';
import { FormBody } from './form-body';
import { hmac, lengthPrefixed } from './signature';

export type NotificationKind = 'ipn' | 'lcn';

/** The fields a receipt is computed over, besides DATE; a notification that lacks one cannot be receipted. */
export const RECEIPT_FIELDS: Readonly<Record<NotificationKind, readonly string[]>> = {
  ipn: ['IPN_PID', 'IPN_PNAME', 'IPN_DATE'],
  lcn: ['LICENSE_CODE', 'EXPIRATION_DATE'],
};

/** `YmdHis` in UTC, 14 digits, zero padded. */
export function receiptDate(now: Date): string {
  return now.toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

/** IPN: IPN_PID[0], IPN_PNAME[0], IPN_DATE, DATE. LCN: LICENSE_CODE, EXPIRATION_DATE, DATE. */
export function receiptSource(kind: NotificationKind, form: FormBody, date: string): Buffer {
  const values = RECEIPT_FIELDS[kind].map((name) => form.firstBytes(name) ?? Buffer.alloc(0));
  return lengthPrefixed([...values, Buffer.from(date, 'latin1')]);
}

export function formatReceipt(algorithm: SignatureAlgorithm, date: string, hashHex: string): string {
  return algorithm === 'md5' ? `<EPAYMENT>${date}|${hashHex}</EPAYMENT>` : `<sig algo="${algorithm}" date="${date}">${hashHex}</sig>`;
}

export function readReceipt(kind: NotificationKind, form: FormBody, algorithm: SignatureAlgorithm, key: Buffer, date: string): string {
  return formatReceipt(algorithm, date, hmac(algorithm, key, receiptSource(kind, form, date)).toString('hex'));
}

/**
 * The receipt fields the notification does not carry. A field sent empty is not missing: the receipt is
 * well defined over it (its length-prefixed form is "0"), and 2Checkout sends some empty on purpose (an
 * LCN's EXPIRATION_DATE for a license that never expires).
 */
export function missingReceiptFields(kind: NotificationKind, form: FormBody): string[] {
  return RECEIPT_FIELDS[kind].filter((name) => !form.has(name));
}
