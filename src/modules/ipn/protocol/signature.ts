import { createHmac, timingSafeEqual } from 'node:crypto';
import { ALGORITHMS_BY_STRENGTH, SIGNATURE_FIELD, SignatureAlgorithm, isSignatureField } from './algorithm';
import { FormBody } from './form-body';

/**
 * 2Checkout's serialisation: for every value, its length in bytes as ASCII digits, then the bytes.
 * No separators, no trimming, no unescaping.
 */
export function lengthPrefixed(values: Iterable<Buffer>): Buffer {
  const parts = Array.isArray(values) ? (values as Buffer[]) : [...values];
  // On the hot path of every request: sized first, then written into one allocation.
  let size = 0;
  for (const value of parts) size += decimalDigits(value.length) + value.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const value of parts) {
    at = writeDecimal(out, at, value.length);
    out.set(value, at);
    at += value.length;
  }
  return out;
}

/** Writes `n` in ASCII digits at out[at]; returns the end. (Cheaper than a string per value.) */
function writeDecimal(out: Buffer, at: number, n: number): number {
  const end = at + decimalDigits(n);
  for (let i = end - 1; i >= at; i--) {
    out[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return end;
}

function decimalDigits(n: number): number {
  let digits = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    digits++;
  }
  return digits;
}

/** Every value of every field in the order received, arrays flattened, the signature fields left out. */
export function signatureSource(form: FormBody): Buffer {
  const values: Buffer[] = [];
  for (const field of form.fields) if (!isSignatureField(field.name)) for (const value of field.values) values.push(value);
  return lengthPrefixed(values);
}

export function hmac(algorithm: SignatureAlgorithm, key: Buffer, data: Buffer): Buffer {
  return createHmac(algorithm, key).update(data).digest();
}

const HEX = /^[0-9a-f]*$/i;

/** Constant-time comparison of a hex signature (any letter case) with the expected digest bytes. */
export function signatureMatches(receivedHex: string, expected: Buffer): boolean {
  if (receivedHex.length !== expected.length * 2 || !HEX.test(receivedHex)) return false;
  return timingSafeEqual(Buffer.from(receivedHex, 'hex'), expected);
}

export type Verification =
  | { ok: true; algorithm: SignatureAlgorithm; key: Buffer }
  | { ok: false; reason: 'signature_missing' | 'signature_invalid'; algorithm?: SignatureAlgorithm };

/**
 * Verifies the strongest signature present among `accepted`. A weaker signature never rescues a
 * stronger one that does not match. Several keys may be valid at once (key rotation).
 */
export function verifySignature(form: FormBody, accepted: readonly SignatureAlgorithm[], keys: readonly Buffer[]): Verification {
  const algorithm = strongestPresent(form, accepted);
  if (!algorithm) return { ok: false, reason: 'signature_missing' };
  const received = form.first(SIGNATURE_FIELD[algorithm]) ?? '';
  const source = signatureSource(form);
  let matchingKey: Buffer | undefined;
  // Every key is tried, so the time taken does not tell which one matched.
  for (const key of keys) {
    if (signatureMatches(received, hmac(algorithm, key, source)) && !matchingKey) matchingKey = key;
  }
  return matchingKey ? { ok: true, algorithm, key: matchingKey } : { ok: false, reason: 'signature_invalid', algorithm };
}

function strongestPresent(form: FormBody, accepted: readonly SignatureAlgorithm[]): SignatureAlgorithm | undefined {
  return ALGORITHMS_BY_STRENGTH.find((algorithm) => accepted.includes(algorithm) && (form.first(SIGNATURE_FIELD[algorithm]) ?? '') !== '');
}

/** Signs a form for sending: the signature fields of `algorithms`, over the current fields. */
export function signatures(form: FormBody, algorithms: readonly SignatureAlgorithm[], key: Buffer): Array<[field: string, hex: string]> {
  const source = signatureSource(form);
  return algorithms.map((algorithm) => [SIGNATURE_FIELD[algorithm], hmac(algorithm, key, source).toString('hex')]);
}
