import { createHmac } from 'node:crypto';

/**
 * A receipt check written apart from the product's protocol code, straight from the 2Checkout docs:
 * HMAC over len(bytes)+value of IPN_PID[0], IPN_PNAME[0], IPN_DATE and the receipt's DATE.
 */
export function expectedReceipt(algorithm: 'md5' | 'sha256' | 'sha3-256', key: string, values: string[], date: string): string {
  const source = [...values, date].map((value) => `${Buffer.byteLength(value, 'utf8')}${value}`).join('');
  const hash = createHmac(algorithm, Buffer.from(key, 'utf8')).update(source, 'utf8').digest('hex');
  return algorithm === 'md5' ? `<EPAYMENT>${date}|${hash}</EPAYMENT>` : `<sig algo="${algorithm}" date="${date}">${hash}</sig>`;
}

/** The DATE a receipt carries, whichever of the two formats it is in. */
export function receiptDateOf(body: string): string | undefined {
  return /date="(\d{14})"/.exec(body)?.[1] ?? /<EPAYMENT>(\d{14})\|/.exec(body)?.[1];
}
