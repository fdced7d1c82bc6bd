import { SignatureAlgorithm } from './algorithm';
import { FormBody } from './form-body';
import { hmac, lengthPrefixed } from './signature';

export type NotificationKind = 'ipn' | 'lcn';

/** The fields a receipt is computed over, besides DATE; a notification without them cannot be receipted. */
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

export function missingReceiptFields(kind: NotificationKind, form: FormBody): string[] {
  return RECEIPT_FIELDS[kind].filter((name) => (form.first(name) ?? '') === '');
}
